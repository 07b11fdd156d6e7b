import type { ParameterValue } from "../commands/train-command.js";
import type { JobResources } from "../commands/job-resources.js";
import type { TrainDeps } from "./train-deps.js";
import type { GitHubClient } from "../github/github-client.js";
import { RunRegistry } from "../runs/run-registry.js";
import { newRunRequest, type RunRequest } from "../runs/run-request.js";
import type { Continuable } from "./find-continuable-run.js";
import { startTrainRun, type StartOutcome } from "./start-train-run.js";

/** What a continuation decided beyond the run it continues. */
export interface NextSegmentPlan {
  run: Continuable;
  /** The comment that asked for it; a button or a budget passes the earlier run's. */
  commentId: number;
  requestedBy: string;
  installationId: number;
  /** The commit to train and, when it is not the earlier run's, why. */
  headSha: string;
  headNote?: string;
  /** The notebook at `headSha`; null: the earlier run's staged notebook (same commit). */
  notebookBytes: Uint8Array | null;
  parameters: Record<string, ParameterValue>;
  resources: JobResources;
  budget?: { seconds: number; startedAt: string };
}

export type NextSegmentOutcome = StartOutcome | { kind: "no-notebook" };

/**
 * Starts the next segment of a training: a new run (`<id>-s<n>`) of the same notebook and
 * parameters (unless changed) whose checkpoint_dir starts as a copy of the earlier run's latest
 * checkpoint (`from: run:<id>`), linked to it through `segment`. Exactly once per earlier run: the
 * run id is derived from it, and startTrainRun records the request before anything else.
 */
export async function startNextSegment(octokit: GitHubClient, plan: NextSegmentPlan, train: TrainDeps, now: () => Date): Promise<NextSegmentOutcome> {
  const previous: RunRequest = plan.run.request;
  const registry = new RunRegistry(train.store);
  const bytes = plan.notebookBytes ?? (await registry.readInput(previous.owner, previous.repo, previous.runId));
  if (!bytes) return { kind: "no-notebook" };
  const { owner, repo, pullNumber, baseRef, notebook } = previous;
  const root = previous.segment?.root ?? previous.runId;
  const request = newRunRequest(
    {
      runId: plan.run.next.runId,
      commentId: plan.commentId,
      owner,
      repo,
      pullNumber,
      headSha: plan.headSha,
      baseRef,
      notebook,
      parameters: plan.parameters,
      resources: plan.resources,
      requestedBy: plan.requestedBy,
      installationId: plan.installationId,
      from: `run:${previous.runId}`,
      segment: { number: plan.run.next.number, previous: previous.runId, root },
      ...(plan.budget ? { budget: plan.budget } : {}),
      ...(plan.headNote ? { headNote: plan.headNote } : {}),
    },
    now().toISOString(),
  );
  const stored = await registry.readRequest(owner, repo, request.runId);
  if (stored?.submittedAt) return { kind: "duplicate", ...(stored.checkRunId ? { checkRunId: stored.checkRunId } : {}) };
  return startTrainRun(octokit, { request, notebookBytes: bytes, ...(previous.jobSource ? { source: previous.jobSource } : {}), stored }, train, now);
}
