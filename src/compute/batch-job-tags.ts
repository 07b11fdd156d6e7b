import type { TrainJob } from "./compute.js";

/** Tag keys on every nbtrain Batch job; an event's tags alone say where to report. */
export const TAG_KEYS = {
  runId: "nbtrain:run-id",
  repo: "nbtrain:repo",
  pullNumber: "nbtrain:pr",
  headSha: "nbtrain:head-sha",
  checkRunId: "nbtrain:check-run-id",
  installationId: "nbtrain:installation-id",
  notebook: "nbtrain:notebook",
} as const;

const MAX_TAG_VALUE = 256;

/**
 * The Batch tags of a job. Values keep to AWS's tag alphabet (letters, digits, spaces and
 * `_ . : / = + - @`) and 256 characters: anything else becomes `_`, so a notebook path in
 * an unusual script is still tagged, only lossily (the run id tag is what matters).
 */
export function batchJobTags(job: TrainJob): Record<string, string> {
  return {
    [TAG_KEYS.runId]: tagValue(job.runId),
    [TAG_KEYS.repo]: tagValue(`${job.repo.owner}/${job.repo.name}`),
    [TAG_KEYS.pullNumber]: String(job.pullNumber),
    [TAG_KEYS.headSha]: tagValue(job.headSha),
    [TAG_KEYS.checkRunId]: String(job.checkRunId),
    [TAG_KEYS.installationId]: String(job.installationId),
    [TAG_KEYS.notebook]: tagValue(job.notebook),
  };
}

/** Coerces a string to AWS's tag value alphabet and length. */
export function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, "_").slice(0, MAX_TAG_VALUE);
}
