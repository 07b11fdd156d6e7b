import type { RunnerIo } from "../runner/runner-main.js";
import { runJob } from "../runner/run-job.js";

/**
 * One attempt of a local job, in this process: the runner's own job entry (runJob), which turns
 * the `NBTRAIN_*` environment the local backend sets into a run spec with the notebook the bot
 * staged in the store. Kept for callers that run a local job in-process; the child process the
 * local backend starts is `src/runner/job-entry.ts`, the same entry as the Batch container's.
 */
export function runLocalJob(io: RunnerIo): Promise<number> {
  return runJob([], io);
}
