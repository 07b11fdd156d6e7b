// `nbtrain-runner`: the process a Batch container or the local backend starts. No logic here, see run-job.ts.
import { runJob } from "./run-job.js";

const controller = new AbortController();
process.once("SIGTERM", () => controller.abort());
process.exitCode = await runJob(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
