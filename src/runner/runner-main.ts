import { readFile } from "node:fs/promises";
import type { Writable } from "node:stream";
import { runLayout } from "../runs/run-layout.js";
import { openStore } from "../storage/open-store.js";
import { createProgressReporter } from "./progress-reporter.js";
import { RunInputError } from "./run-input-error.js";
import { runSpecSchema } from "./run-spec.js";
import { runTraining } from "./run-training.js";
import { JOB_TOKEN_SECRET_ENV, readJobTokenSecret } from "./source/read-job-token-secret.js";
import { JOB_TOKEN_ENV } from "./source/source-spec.js";

export interface RunnerIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on SIGTERM by the entrypoint. */
  signal: AbortSignal;
  /** Reads the token's secret on Batch (NBTRAIN_GITHUB_TOKEN_SECRET); Secrets Manager by default. */
  readTokenSecret?: (secretId: string) => Promise<string>;
}

/** Exit code after SIGTERM: 128 + 15, as a shell reports a process the signal ended. */
export const EXIT_INTERRUPTED = 143;

/**
 * The job's entrypoint logic. The run spec is JSON, from the file named by the first argument or
 * from `NBTRAIN_RUN_SPEC`. Exit codes: 0 completed, 1 failed or timed out, 2 invalid spec or
 * notebook (nothing written), 143 stopped by SIGTERM after the final checkpoint sync.
 * `AWS_BATCH_JOB_ATTEMPT` numbers the attempt when the spec does not.
 */
export async function runnerMain(argv: string[], io: RunnerIo): Promise<number> {
  let raw: unknown;
  try {
    const text = argv[0] ? await readFile(argv[0], "utf8") : io.env.NBTRAIN_RUN_SPEC;
    if (!text) throw new RunInputError("No run spec: pass a spec file as the first argument or set NBTRAIN_RUN_SPEC.");
    raw = JSON.parse(text);
  } catch (error) {
    io.stderr.write(`nbtrain runner: cannot read the run spec: ${(error as Error).message}\n`);
    return 2;
  }
  const batchAttempt = Number(io.env.AWS_BATCH_JOB_ATTEMPT);
  if (typeof raw === "object" && raw !== null && !("attempt" in raw) && Number.isInteger(batchAttempt) && batchAttempt > 0) {
    raw = { ...raw, attempt: batchAttempt };
  }
  const parsed = runSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    io.stderr.write(`nbtrain runner: invalid run spec at ${issue.path.join(".") || "(root)"}: ${issue.message}\n`);
    return 2;
  }
  try {
    // The job's GitHub token stays in this process: nothing the runner starts (pip, the kernel) inherits it.
    const { [JOB_TOKEN_ENV]: envToken, [JOB_TOKEN_SECRET_ENV]: tokenSecret, ...env } = io.env;
    const store = await openStore(parsed.data.store, { baseDir: io.cwd, env });
    let githubToken = envToken;
    const spec = parsed.data;
    // On Batch the token waits in a short-lived secret; it is needed only until the snapshot is in the store.
    if (!githubToken && tokenSecret && spec.source?.kind === "github" && !(await store.head(runLayout.key({ owner: spec.owner, repo: spec.repo, runId: spec.run_id }, "source")))) {
      const read = io.readTokenSecret ?? ((id: string) => readJobTokenSecret(id, { ...(env.AWS_REGION ?? env.AWS_DEFAULT_REGION ? { region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION } : {}) }));
      try {
        githubToken = await read(tokenSecret);
      } catch (error) {
        // A public repository's archive needs no token; a private one then fails with the snapshot's own message.
        io.stderr.write(`nbtrain runner: ${(error as Error).message}\n`);
      }
    }
    const { result, location } = await runTraining(parsed.data, {
      store,
      env,
      ...(githubToken ? { githubToken } : {}),
      cwd: io.cwd,
      progress: createProgressReporter(io.stdout),
      signal: io.signal,
    });
    io.stdout.write(`${JSON.stringify({ event: "result", status: result.status, output: location.output, checkpoints: location.checkpoints })}\n`);
    if (result.status === "completed") return 0;
    if (result.status === "interrupted") return EXIT_INTERRUPTED;
    return 1;
  } catch (error) {
    io.stderr.write(`nbtrain runner: ${(error as Error).message}\n`);
    return error instanceof RunInputError ? 2 : 1;
  }
}
