import { basename } from "node:path";
import { z } from "zod";
import { isRunId } from "../commands/derive-run-id.js";
import { runLayout } from "../runs/run-layout.js";
import { runParametersSchema } from "../runs/run-request.js";
import { openStore } from "../storage/open-store.js";
import { RunInputError } from "./run-input-error.js";
import type { RunSpecInput } from "./run-spec.js";

const attempt = z.coerce.number().int().positive();

/** The `NBTRAIN_*` variables runnerEnvironment() sets for a job, plus what each backend adds. */
const jobEnvSchema = z.object({
  NBTRAIN_RUN_ID: z.string().refine(isRunId, "not a run id"),
  NBTRAIN_REPO: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9._-]+$/u, "owner/repo"),
  NBTRAIN_NOTEBOOK: z.string().min(1),
  NBTRAIN_PARAMETERS: z.string().transform((text, ctx) => {
    try {
      return runParametersSchema.parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: "custom", message: "not a JSON object of scalars" });
      return z.NEVER;
    }
  }),
  NBTRAIN_STORE: z.string().min(1),
  /** Set by the local backend. */
  NBTRAIN_ATTEMPT: attempt.optional(),
  /** Set by AWS Batch in every container: 1 for the first attempt, 2 after a retried spot reclaim, … */
  AWS_BATCH_JOB_ATTEMPT: attempt.optional(),
  NBTRAIN_TIMEOUT_SECONDS: z.coerce.number().int().positive().optional(),
  /** `archive`: run inside the repository's tree at NBTRAIN_HEAD_SHA (see source/). */
  NBTRAIN_JOB_SOURCE: z.enum(["archive", "notebook"]).default("notebook"),
  NBTRAIN_HEAD_SHA: z.string().regex(/^[0-9a-f]{40}$/u).optional(),
  NBTRAIN_GITHUB_API_URL: z.url().optional(),
  NBTRAIN_REQUIREMENTS: z.enum(["off", "notebook", "root"]).default("off"),
  /** Where the run's checkpoint_dir starts (run:<id>, s3://…, gdrive://…); the bot checked it against its configured locations. */
  NBTRAIN_FROM: z.string().min(1).optional(),
  NBTRAIN_LFS: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true"),
});

/** Seconds the runner stops before the backend's own timeout, to sync checkpoints and write result.json. */
const RUNNER_MARGIN_SECONDS = 30;

/**
 * The run spec of a job a backend started: the local backend's child process or an AWS Batch
 * container. Both pass the job as `NBTRAIN_*` variables (see runnerEnvironment) and stage the
 * notebook, resolved at the PR head SHA, in the store at the run's `input.ipynb` (see runs/run-layout.ts).
 * The attempt is `NBTRAIN_ATTEMPT` (local), else `AWS_BATCH_JOB_ATTEMPT` (Batch), else 1.
 * Throws a RunInputError naming the variable to fix, or the staged notebook it cannot read.
 */
export async function jobFromEnv(env: NodeJS.ProcessEnv, cwd: string): Promise<RunSpecInput> {
  const parsed = jobEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path.join(".");
    const problem = env[name] === undefined ? "not set" : issue.message;
    throw new RunInputError(
      `invalid ${name}: ${problem}. The nbtrain server sets the NBTRAIN_* variables when it starts a local job or submits a Batch job; to run by hand, pass a run spec file or NBTRAIN_RUN_SPEC instead.`,
    );
  }
  const job = parsed.data;
  const [owner, repo] = job.NBTRAIN_REPO.split("/") as [string, string];
  const key = runLayout.key({ owner, repo, runId: job.NBTRAIN_RUN_ID }, "input");
  let base64: string;
  try {
    const store = await openStore(job.NBTRAIN_STORE, { baseDir: cwd, env });
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
    base64 = Buffer.concat(chunks).toString("base64");
  } catch (error) {
    throw new RunInputError(`cannot read the staged notebook ${key}: ${(error as Error).message}. The bot stages it before it submits the job; run /train again.`);
  }
  const timeout = job.NBTRAIN_TIMEOUT_SECONDS;
  return {
    notebook: { name: basename(job.NBTRAIN_NOTEBOOK), base64 },
    parameters: job.NBTRAIN_PARAMETERS,
    store: job.NBTRAIN_STORE,
    owner,
    repo,
    run_id: job.NBTRAIN_RUN_ID,
    attempt: job.NBTRAIN_ATTEMPT ?? job.AWS_BATCH_JOB_ATTEMPT ?? 1,
    ...(job.NBTRAIN_FROM ? { from: job.NBTRAIN_FROM } : {}),
    ...(timeout ? { limits: { timeout_seconds: timeout > 2 * RUNNER_MARGIN_SECONDS ? timeout - RUNNER_MARGIN_SECONDS : timeout } } : {}),
    // The job's token stays in the environment, which runnerMain takes it from; it never enters the spec.
    ...(job.NBTRAIN_JOB_SOURCE === "archive" && job.NBTRAIN_HEAD_SHA
      ? {
          source: {
            kind: "github" as const,
            sha: job.NBTRAIN_HEAD_SHA,
            path: job.NBTRAIN_NOTEBOOK,
            requirements: job.NBTRAIN_REQUIREMENTS,
            lfs: job.NBTRAIN_LFS,
            ...(job.NBTRAIN_GITHUB_API_URL ? { api_url: job.NBTRAIN_GITHUB_API_URL } : {}),
          },
        }
      : {}),
  };
}
