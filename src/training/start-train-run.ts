import type { JobSourceSettings, TrainJob } from "../compute/compute.js";
import type { TrainDeps } from "./train-deps.js";
import { createJobToken } from "../github/create-job-token.js";
import { describeError } from "../github/describe-error.js";
import { findTrainCheckRun } from "./find-train-check-run.js";
import type { GitHubClient } from "../github/github-client.js";
import { RunRegistry } from "../runs/run-registry.js";
import type { RunRequest } from "../runs/run-request.js";
import { CANCEL_ACTION, trainCheckName } from "./train-check-name.js";

/**
 * One run, decided and checked: the request as the store will record it (the one shape of a run
 * from here on; the job is derived from it), the notebook the job will run, and the repository's
 * source settings.
 */
export interface RunStart {
  request: RunRequest;
  notebookBytes: Uint8Array;
  /** The repository's `train.requirements` and `train.lfs`, for the job's source tree. */
  source?: JobSourceSettings;
  /**
   * The request the store already holds for this run id, as the caller's one redelivery check
   * found it: an earlier delivery that stopped before it submitted. Null for a new run.
   */
  stored: RunRequest | null;
}

export type StartOutcome = { kind: "submitted"; checkRunId: number } | { kind: "duplicate"; checkRunId?: number } | { kind: "failed"; checkRunId: number; reason: string };

/**
 * Records the request in the store, creates the run's check run (queued, `external_id` = run
 * id), stages the notebook and submits the job: exactly once per run id. The request is written
 * before the check run is created, so a delivery that finds a request without a check run id
 * knows an earlier one died in between and looks the check run up (by `external_id`) instead of
 * creating a second. Whether the run was already submitted is the caller's one check (see
 * RunStart.stored); the backend's own idempotency covers a crash after submit. A submit failure
 * completes the check run as a failure.
 */
export async function startTrainRun(octokit: GitHubClient, start: RunStart, train: TrainDeps, now: () => Date): Promise<StartOutcome> {
  const registry = new RunRegistry(train.store);
  const request = start.source && !start.request.jobSource ? { ...start.request, jobSource: start.source } : start.request;
  const { stored } = start;
  const { owner, repo, runId } = request;
  const name = trainCheckName(request.notebook);
  let checkRunId = stored?.checkRunId;
  if (checkRunId === undefined && stored) {
    // An earlier delivery stopped between recording the request and recording its check run:
    // the check run may exist, found by its external_id. Only this rare path pays for the lookup.
    checkRunId = (await findTrainCheckRun(octokit, { owner, repo, headSha: request.headSha, name, runId }))?.id;
  }
  // One store round before GitHub hears of the run: the request (so a redelivery can tell a
  // half-done command), the notebook the job will run, and the active-run index entry (so an
  // event that arrives at once finds it to clear), side by side.
  await Promise.all([
    stored ? Promise.resolve() : registry.writeRequest(request),
    registry.stageNotebook(request, start.notebookBytes),
    registry.markActive(owner, repo, request.pullNumber, runId),
  ]);
  if (checkRunId === undefined) {
    const { data } = await octokit.rest.checks.create({
      owner,
      repo,
      name,
      head_sha: request.headSha,
      external_id: runId,
      status: "queued",
      output: { title: request.segment ? `Queued: segment ${request.segment.number}` : "Queued", summary: queuedSummary(request) },
      actions: [CANCEL_ACTION],
    });
    checkRunId = data.id;
  }
  const recorded = { ...request, checkRunId };

  const job = trainJobOf(recorded, train.storeUri, start.source);
  try {
    // Compute.submit is itself idempotent per run id (a Batch job is found by its name, a local
    // run by its queue file), so a crash between here and the write below cannot double a job.
    // The job's only GitHub credential: read-only, this repository, one hour (issue 8). A refusal fails the run here, before submit.
    if (train.secrets) {
      await train.secrets.put(runId, await createJobToken(octokit, { installationId: request.installationId, owner, repo, apiUrl: octokit.request.endpoint.DEFAULTS.baseUrl }));
    }
    const submitted = await train.compute.submit(job);
    await registry.writeRequest({ ...recorded, submittedAt: now().toISOString(), backendJobId: submitted.backendJobId });
    return { kind: submitted.existing ? "duplicate" : "submitted", checkRunId };
  } catch (error) {
    const reason = describeError(error);
    // No job will read the token: delete it now rather than when a run that never started ends.
    await train.secrets?.remove(runId).catch(() => undefined);
    await registry.clearActive(owner, repo, request.pullNumber, runId);
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

/** The job the backend runs: the recorded request, with where its store is and how to prepare its tree. */
function trainJobOf(request: RunRequest & { checkRunId: number }, storeUri: string, source?: JobSourceSettings): TrainJob {
  return {
    runId: request.runId,
    repo: { owner: request.owner, name: request.repo },
    pullNumber: request.pullNumber,
    headSha: request.headSha,
    checkRunId: request.checkRunId,
    installationId: request.installationId,
    notebook: request.notebook,
    parameters: request.parameters,
    resources: request.resources,
    storeUri,
    ...(source ? { source } : {}),
    ...(request.from ? { from: request.from } : {}),
  };
}

/** The queued check run's words: the run, and for a segment or a copied start, where it starts from. */
function queuedSummary(request: RunRequest): string {
  const lines = [`Run \`${request.runId}\` of \`${request.notebook.replace(/`/gu, "'")}\` is queued on ${request.resources.gpus} × ${request.resources.gpuType}.`];
  if (request.segment) {
    lines.push("", `Segment ${request.segment.number} of the training started by run \`${request.segment.root}\`: it starts from the latest checkpoint of run \`${request.segment.previous}\`.`);
  } else if (request.from) {
    lines.push("", `Its checkpoint_dir starts as a copy of \`${request.from.replace(/`/gu, "'")}\`.`);
  }
  if (request.budget) lines.push("", `Budget: ${Math.round(request.budget.seconds / 60)} min in all, in segments of at most ${Math.round(request.resources.timeoutSeconds / 60)} min.`);
  if (request.headNote) lines.push("", request.headNote);
  return lines.join("\n");
}
