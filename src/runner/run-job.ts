import { jobFromEnv } from "./job-from-env.js";
import { RunInputError } from "./run-input-error.js";
import { runnerMain, type RunnerIo } from "./runner-main.js";

/**
 * What `nbtrain-runner` runs, in a Batch container (the image's ENTRYPOINT, with no command) and
 * as the local backend's child process. A run spec given as a file argument or in
 * `NBTRAIN_RUN_SPEC` runs as it is; otherwise the job comes from the `NBTRAIN_*` environment the
 * backend set (see jobFromEnv). Exit codes as runnerMain's; a bad environment or a missing staged
 * notebook is 2, with the variable or store key to check on stderr.
 */
export async function runJob(argv: string[], io: RunnerIo): Promise<number> {
  if (argv.length > 0 || io.env.NBTRAIN_RUN_SPEC) return runnerMain(argv, io);
  let spec;
  try {
    spec = await jobFromEnv(io.env, io.cwd);
  } catch (error) {
    io.stderr.write(`nbtrain runner: ${(error as Error).message}\n`);
    return error instanceof RunInputError ? 2 : 1;
  }
  return runnerMain([], { ...io, env: { ...io.env, NBTRAIN_RUN_SPEC: JSON.stringify(spec) } });
}
