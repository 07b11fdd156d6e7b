import type { TrainJob } from "./compute.js";

/**
 * The environment that tells `nbtrain-runner` which job to run. It carries ids and data only,
 * never a credential: store credentials reach a Batch job through its job definition's secrets
 * and a local job through the allow-listed server environment. Parameters travel as one JSON
 * value, so no shell ever interprets them.
 */
export function runnerEnvironment(job: TrainJob): Record<string, string> {
  return {
    NBTRAIN_RUN_ID: job.runId,
    NBTRAIN_REPO: `${job.repo.owner}/${job.repo.name}`,
    NBTRAIN_PULL_NUMBER: String(job.pullNumber),
    NBTRAIN_HEAD_SHA: job.headSha,
    NBTRAIN_CHECK_RUN_ID: String(job.checkRunId),
    NBTRAIN_INSTALLATION_ID: String(job.installationId),
    NBTRAIN_NOTEBOOK: job.notebook,
    NBTRAIN_PARAMETERS: JSON.stringify(job.parameters),
    NBTRAIN_STORE: stripCredentials(job.storeUri),
    NBTRAIN_GPUS: String(job.resources.gpus),
    NBTRAIN_TIMEOUT_SECONDS: String(job.resources.timeoutSeconds),
    ...(job.source ? { NBTRAIN_REQUIREMENTS: job.source.requirements, NBTRAIN_LFS: String(job.source.lfs) } : {}),
    ...(job.from ? { NBTRAIN_FROM: stripCredentials(job.from) } : {}),
  };
}

/** Store URIs are documented as credential-free; this makes a mistaken `s3://key:secret@…` harmless. */
export function stripCredentials(uri: string): string {
  // `user:password@` userinfo, where the password may itself hold `/` (AWS secret keys do).
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*:[^@]*@/i, "$1").replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/:]*@/i, "$1");
}
