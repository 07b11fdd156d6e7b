// The local backend's job process (see createLocalTrainDeps): no logic here, see run-local-job.ts.
import { runLocalJob } from "./run-local-job.js";

const controller = new AbortController();
process.once("SIGTERM", () => controller.abort());
process.exitCode = await runLocalJob({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: controller.signal });
