import type { JobResources } from "../commands/job-resources.js";
import type { ParameterValue } from "../commands/train-command.js";
import type { JobSourceSettings, TrainJob } from "../compute/compute.js";
import type { TrainDeps } from "../app/app-deps.js";
import { createJobToken } from "../github/create-job-token.js";
import { describeError } from "../github/describe-error.js";
import { findTrainCheckRun } from "./find-train-check-run.js";
import type { GitHubClient } from "../github/github-client.js";
import { RunRegistry } from "../runs/run-registry.js";
import { CANCEL_ACTION, trainCheckName } from "./train-check-name.js";

/** One run, decided and checked: what `startTrainRun` creates and submits. */
export interface TrainPlan {
  runId: string;
  commentId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  baseRef: string;
  notebook: string;
  notebookBytes: Uint8Array;
  parameters: Record<string, ParameterValue>;
  resources: JobResources;
  requestedBy: string;
  installationId: number;
  /** The repository's `train.requirements` and `train.lfs`, for the job's source tree. */
  source?: JobSourceSettings;
}

export type StartOutcome = { kind: "submitted"; checkRunId: number } | { kind: "duplicate"; checkRunId?: number } | { kind: "failed"; checkRunId: number; reason: string };

/**
 * Records the request in the store, creates the run's check run (queued, `external_id` = run
 * id), stages the notebook and submits the job: exactly once per run id. The request is written
 * before the check run is created, so a delivery that finds a request without a check run id
 * knows an earlier one died in between and looks the check run up (by `external_id`) instead of
 * creating a second. A run already submitted is not submitted again. A submit failure
 * completes the check run as a failure.
 */
export async function startTrainRun(octokit: GitHubClient, plan: TrainPlan, train: TrainDeps, now: () => Date): Promise<StartOutcome> {
  const registry = new RunRegistry(train.store);
  const { owner, repo, runId } = plan;
  const earlier = await registry.readRequest(owner, repo, runId);
  if (earlier?.submittedAt) return { kind: "duplicate", ...(earlier.checkRunId ? { checkRunId: earlier.checkRunId } : {}) };

  const request = {
    format: "nbtrain-request/1" as const,
    runId,
    commentId: plan.commentId,
    owner,
    repo,
    pullNumber: plan.pullNumber,
    headSha: plan.headSha,
    baseRef: plan.baseRef,
    notebook: plan.notebook,
    parameters: plan.parameters,
    resources: plan.resources,
    requestedBy: plan.requestedBy,
    requestedAt: earlier?.requestedAt ?? now().toISOString(),
    installationId: plan.installationId,
    interruptions: [],
  };
  const name = trainCheckName(plan.notebook);
  let checkRunId = earlier?.checkRunId;
  if (checkRunId === undefined && earlier) {
    // An earlier delivery stopped between recording the request and recording its check run:
    // the check run may exist, found by its external_id. Only this rare path pays for the lookup.
    checkRunId = (await findTrainCheckRun(octokit, { owner, repo, headSha: plan.headSha, name, runId }))?.id;
  }
  // One store round before GitHub hears of the run: the request (so a redelivery can tell a
  // half-done command), the notebook the job will run, and the active-run index entry (so an
  // event that arrives at once finds it to clear), side by side.
  await Promise.all([
    earlier ? Promise.resolve() : registry.writeRequest(request),
    registry.stageNotebook(request, plan.notebookBytes),
    registry.markActive(owner, repo, plan.pullNumber, runId),
  ]);
  if (checkRunId === undefined) {
    const { data } = await octokit.rest.checks.create({
      owner,
      repo,
      name,
      head_sha: plan.headSha,
      external_id: runId,
      status: "queued",
      output: { title: "Queued", summary: `Run \`${runId}\` of \`${plan.notebook.replace(/`/gu, "'")}\` is queued on ${plan.resources.gpus} × ${plan.resources.gpuType}.` },
      actions: [CANCEL_ACTION],
    });
    checkRunId = data.id;
  }
  const recorded = { ...request, checkRunId };

  const job: TrainJob = {
    runId,
    repo: { owner, name: repo },
    pullNumber: plan.pullNumber,
    headSha: plan.headSha,
    checkRunId,
    installationId: plan.installationId,
    notebook: plan.notebook,
    parameters: plan.parameters,
    resources: plan.resources,
    storeUri: train.storeUri,
    ...(plan.source ? { source: plan.source } : {}),
  };
  try {
    // Compute.submit is itself idempotent per run id (a Batch job is found by its name, a local
    // run by its queue file), so a crash between here and the write below cannot double a job.
    // The job's only GitHub credential: read-only, this repository, one hour (issue 8). A refusal fails the run here, before submit.
    if (train.secrets) {
      await train.secrets.put(runId, await createJobToken(octokit, { installationId: plan.installationId, owner, repo, apiUrl: octokit.request.endpoint.DEFAULTS.baseUrl }));
    }
    const submitted = await train.compute.submit(job);
    await registry.writeRequest({ ...recorded, submittedAt: now().toISOString(), backendJobId: submitted.backendJobId });
    return { kind: submitted.existing ? "duplicate" : "submitted", checkRunId };
  } catch (error) {
    const reason = describeError(error);
    // No job will read the token: delete it now rather than when a run that never started ends.
    await train.secrets?.remove(runId).catch(() => undefined);
    await registry.clearActive(owner, repo, plan.pullNumber, runId);
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: checkRunId,
      status: "completed",
      conclusion: "failure",
      completed_at: now().toISOString(),
      output: { title: "Could not submit the job", summary: `The backend refused run \`${runId}\`: ${reason}\n\nComment \`/train\` again once the cause is fixed.` },
    });
    return { kind: "failed", checkRunId, reason };
  }
}
