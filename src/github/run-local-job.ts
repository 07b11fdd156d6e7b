import { basename } from "node:path";
import { z } from "zod";
import { isRunId } from "../commands/derive-run-id.js";
import { runnerMain, type RunnerIo } from "../runner/runner-main.js";
import { openStore } from "../storage/open-store.js";

const jobEnvSchema = z.object({
  NBTRAIN_RUN_ID: z.string().refine(isRunId, "not a run id"),
  NBTRAIN_REPO: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9._-]+$/u, "owner/repo"),
  NBTRAIN_NOTEBOOK: z.string().min(1),
  NBTRAIN_PARAMETERS: z.string().transform((text, ctx) => {
    try {
      return z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: "custom", message: "not a JSON object of scalars" });
      return z.NEVER;
    }
  }),
  NBTRAIN_STORE: z.string().min(1),
  NBTRAIN_ATTEMPT: z.coerce.number().int().positive().default(1),
  NBTRAIN_TIMEOUT_SECONDS: z.coerce.number().int().positive().optional(),
  /** `archive`: run inside the repository's tree at NBTRAIN_HEAD_SHA (see runner/source/). */
  NBTRAIN_JOB_SOURCE: z.enum(["archive", "notebook"]).default("notebook"),
  NBTRAIN_HEAD_SHA: z.string().regex(/^[0-9a-f]{40}$/u).optional(),
  NBTRAIN_GITHUB_API_URL: z.url().optional(),
  NBTRAIN_REQUIREMENTS: z.enum(["off", "notebook", "root"]).default("off"),
});

/** Seconds the runner stops before the backend's own timeout, to sync checkpoints and write result.json. */
const RUNNER_MARGIN_SECONDS = 30;

/**
 * One attempt of a local job: turns the `NBTRAIN_*` environment the local backend sets (see
 * runnerEnvironment) into the runner's spec, with the notebook the bot staged in the store at
 * the PR head SHA, and runs the runner in this process. Returns the runner's exit code; a bad
 * environment or a missing staged notebook is 2, as for an invalid spec.
 */
export async function runLocalJob(io: RunnerIo): Promise<number> {
  const parsed = jobEnvSchema.safeParse(io.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    io.stderr.write(`nbtrain local job: invalid ${issue.path.join(".")}: ${issue.message}; this process is started by the nbtrain server, not by hand.\n`);
    return 2;
  }
  const env = parsed.data;
  const [owner, repo] = env.NBTRAIN_REPO.split("/") as [string, string];
  const key = `runs/${owner}/${repo}/${env.NBTRAIN_RUN_ID}/input.ipynb`;
  let base64: string;
  try {
    const store = await openStore(env.NBTRAIN_STORE, { baseDir: io.cwd, env: io.env });
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
    base64 = Buffer.concat(chunks).toString("base64");
  } catch (error) {
    io.stderr.write(`nbtrain local job: cannot read the staged notebook ${key}: ${(error as Error).message}\n`);
    return 2;
  }
  const timeout = env.NBTRAIN_TIMEOUT_SECONDS;
  const spec = {
    notebook: { name: basename(env.NBTRAIN_NOTEBOOK), base64 },
    parameters: env.NBTRAIN_PARAMETERS,
    store: env.NBTRAIN_STORE,
    owner,
    repo,
    run_id: env.NBTRAIN_RUN_ID,
    attempt: env.NBTRAIN_ATTEMPT,
    ...(timeout ? { limits: { timeout_seconds: timeout > 2 * RUNNER_MARGIN_SECONDS ? timeout - RUNNER_MARGIN_SECONDS : timeout } } : {}),
    // The token itself stays in the environment, which runnerMain takes it from; it never enters the spec.
    ...(env.NBTRAIN_JOB_SOURCE === "archive" && env.NBTRAIN_HEAD_SHA
      ? { source: { kind: "github", sha: env.NBTRAIN_HEAD_SHA, path: env.NBTRAIN_NOTEBOOK, requirements: env.NBTRAIN_REQUIREMENTS, ...(env.NBTRAIN_GITHUB_API_URL ? { api_url: env.NBTRAIN_GITHUB_API_URL } : {}) } }
      : {}),
  };
  return runnerMain([], { ...io, env: { ...io.env, NBTRAIN_RUN_SPEC: JSON.stringify(spec) } });
}
