// The runner's process entrypoint (Batch container, local backend): no logic here, see runner-main.ts.
import { runnerMain } from "./runner-main.js";

const controller = new AbortController();
process.once("SIGTERM", () => controller.abort());
process.exitCode = await runnerMain(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
