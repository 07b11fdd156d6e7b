import type { TrainJob } from "./compute.js";

const MAX_JOB_NAME = 128;

/**
 * The prefix every Batch job name of a run starts with. `ListJobs` filters on a job name prefix
 * (`nbtrain-<runId>-*`), which is how a run id finds its job without a database; the trailing
 * `-` keeps run `c12` from matching `c123`.
 */
export function jobNamePrefix(runId: string): string {
  return `nbtrain-${sanitise(runId)}-`;
}

/**
 * A job name Batch accepts (letters, digits, `_` and `-`, at most 128) that starts with the run's
 * prefix and then says, for a human in the console, which repo and PR it is.
 */
export function batchJobName(job: Pick<TrainJob, "runId" | "repo" | "pullNumber">): string {
  const name = `${jobNamePrefix(job.runId)}${sanitise(job.repo.owner)}-${sanitise(job.repo.name)}-pr${job.pullNumber}`;
  return name.slice(0, MAX_JOB_NAME);
}

function sanitise(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]+/g, "_");
}
