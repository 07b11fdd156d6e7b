import type { RunTarget, TrainJob } from "./compute.js";

/** Where a job's events report: its repo, PR, check run and installation. */
export function targetOf(job: TrainJob): RunTarget {
  return {
    owner: job.repo.owner,
    repo: job.repo.name,
    pullNumber: job.pullNumber,
    headSha: job.headSha,
    checkRunId: job.checkRunId,
    installationId: job.installationId,
    notebook: job.notebook,
  };
}
