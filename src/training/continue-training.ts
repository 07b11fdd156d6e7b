import { checkTrainLimits } from "../commands/check-train-limits.js";
import { formatDuration } from "../commands/format-duration.js";
import type { ParameterValue } from "../commands/train-command.js";
import type { TrainConfig } from "../config/train-config.js";
import type { TrainDeps } from "./train-deps.js";
import { fetchNotebook } from "../github/fetch-notebook.js";
import type { GitHubClient } from "../github/github-client.js";
import { RunRegistry } from "../runs/run-registry.js";
import { admitUnderLimits } from "./admit-under-limits.js";
import { checkForkTrust, requestForkApproval } from "./fork-trust.js";
import { judgeOperatorPolicy } from "./judge-operator-policy.js";
import { findContinuableRun } from "./find-continuable-run.js";
import type { PullRequest } from "./read-train-inputs.js";
import { startNextSegment } from "./start-next-segment.js";

/** A user's request to continue (the comment or the button), after the permission gate. */
export interface ContinueRequest {
  owner: string;
  repo: string;
  pullNumber: number;
  /** The run to continue; absent: the PR's most recent run that can be. */
  runId?: string;
  user: string;
  installationId: number;
  /** The `/train continue` comment; the button passes the earlier run's comment id. */
  commentId?: number;
  config: TrainConfig;
  pull: PullRequest;
  parameters: Record<string, ParameterValue>;
  timeoutSeconds?: number;
  budgetSeconds?: number;
}

export type ContinueOutcome =
  | { kind: "refused"; message: string }
  | { kind: "started"; runId: string; previous: string; checkpoint: number; segment: number; headSha: string; headNote?: string; checkRunId: number }
  | { kind: "duplicate"; runId: string }
  | { kind: "failed"; runId: string; reason: string };

/**
 * The next segment of a training, as a user asks for it: the run to continue is found and judged,
 * the notebook is the earlier run's at the same commit unless the PR's head moved (then the new
 * head's, and the outcome says why), a fork's commit needs a maintainer's approval as for `/train`,
 * the parameters are the earlier run's with the given ones on top, and the earlier run's
 * resources are checked again against today's limits and the operator's allow-lists.
 */
export async function continueTraining(octokit: GitHubClient, ask: ContinueRequest, train: TrainDeps, now: () => Date): Promise<ContinueOutcome> {
  const registry = new RunRegistry(train.store);
  const found = await findContinuableRun(registry, ask, ask.runId);
  if (!found.ok) return { kind: "refused", message: found.message };
  const { run } = found;
  const previous = run.request;
  if (ask.pull.state !== "open") return { kind: "refused", message: `This pull request is ${ask.pull.merged_at ? "merged" : "closed"}, so nothing was continued. Reopen it first.` };

  // The earlier commit, unless the PR moved on: a continuation asked for now trains what the PR proposes now.
  let headSha = previous.headSha;
  let headNote: string | undefined;
  let notebookBytes: Uint8Array | null = null;
  if (ask.pull.head.sha !== previous.headSha) {
    headSha = ask.pull.head.sha;
    headNote = `The pull request's head moved from ${previous.headSha.slice(0, 7)} (run \`${previous.runId}\`) to ${headSha.slice(0, 7)}; this segment trains ${headSha.slice(0, 7)}, the pull request's latest commit, from the earlier checkpoint.`;
    const fetched = await fetchNotebook(octokit, { owner: ask.owner, repo: ask.repo, path: previous.notebook, sha: headSha });
    if (fetched.kind !== "file") {
      return { kind: "refused", message: `\`${previous.notebook.replace(/`/gu, "'")}\` is no longer at the pull request's head (${headSha.slice(0, 7)}), so run \`${previous.runId}\` cannot be continued there. Restore the notebook, or start a new run with \`/train NOTEBOOK --from ${previous.runId}\`.` };
    }
    notebookBytes = fetched.bytes;
  }

  // A fork's commit trains only once a maintainer approved exactly it (train.forks), as for /train.
  const trust = await checkForkTrust(ask.pull, headSha, ask, ask.config, train);
  if (!trust.ok) {
    if (trust.reason !== "denied") await requestForkApproval(octokit, ask, ask.pullNumber, headSha, trust.message, now());
    return { kind: "refused", message: trust.message };
  }

  const { resources } = previous;
  const asked = {
    kind: "run" as const,
    notebook: previous.notebook,
    parameters: { ...previous.parameters, ...ask.parameters },
    gpu: resources.gpuType,
    gpus: resources.gpus,
    memoryMiB: resources.memoryMiB,
    timeoutSeconds: ask.timeoutSeconds ?? resources.timeoutSeconds,
    spot: resources.spot,
    ...(ask.budgetSeconds !== undefined ? { budgetSeconds: ask.budgetSeconds } : {}),
  };
  // The limits against the active runs in the store, under the repository's lock, as /train checks them.
  const limits = await admitUnderLimits(
    registry,
    train.compute,
    { owner: ask.owner, repo: ask.repo, pullNumber: ask.pullNumber, runId: run.next.runId },
    { perRepo: ask.config.limits.max_concurrent_per_repo, perPullRequest: ask.config.limits.max_concurrent_per_pr },
    (active) => checkTrainLimits(asked, ask.config, active),
  );
  if (!limits.ok) return { kind: "refused", message: `Run \`${previous.runId}\` was not continued: ${limits.message}` };
  // Then the operator's allow-lists and caps, which no repository config can lift.
  const policy = judgeOperatorPolicy(asked, ask.config, limits.resources, train);
  if (!policy.ok) {
    await registry.clearActive(ask.owner, ask.repo, ask.pullNumber, run.next.runId); // admitted above, never started
    return { kind: "refused", message: `Run \`${previous.runId}\` was not continued: ${policy.message}` };
  }
  // A new --budget starts a new allowance; otherwise the earlier one goes on.
  const budget = ask.budgetSeconds !== undefined ? (limits.budgetSeconds ? { seconds: limits.budgetSeconds, startedAt: now().toISOString() } : undefined) : previous.budget;

  const outcome = await startNextSegment(
    octokit,
    {
      run,
      commentId: ask.commentId ?? previous.commentId,
      requestedBy: ask.user,
      installationId: ask.installationId,
      headSha,
      ...(headNote ? { headNote } : {}),
      notebookBytes,
      parameters: { ...previous.parameters, ...ask.parameters },
      resources: limits.resources,
      ...(budget ? { budget } : {}),
    },
    train,
    now,
  );
  const runId = run.next.runId;
  switch (outcome.kind) {
    case "no-notebook":
      await registry.clearActive(ask.owner, ask.repo, ask.pullNumber, runId); // admitted above, never started
      return { kind: "refused", message: `Run \`${previous.runId}\` has no staged notebook in the store any more; start a new run with \`/train NOTEBOOK --from ${previous.runId}\`.` };
    case "failed":
      return { kind: "failed", runId, reason: outcome.reason };
    case "duplicate":
      return { kind: "duplicate", runId };
    case "submitted":
      return { kind: "started", runId, previous: previous.runId, checkpoint: run.result.checkpoint_sequence ?? 0, segment: run.next.number, headSha, ...(headNote ? { headNote } : {}), checkRunId: outcome.checkRunId };
  }
}

/** The reply to a started continuation. */
export function describeContinuation(started: Extract<ContinueOutcome, { kind: "started" }>, budgetSeconds?: number): string {
  return [
    `Continuing run \`${started.previous}\` as segment ${started.segment}, run \`${started.runId}\`: it starts from checkpoint #${started.checkpoint} of \`${started.previous}\`${budgetSeconds ? `, with a budget of ${formatDuration(budgetSeconds)}` : ""}.`,
    ...(started.headNote ? ["", started.headNote] : []),
  ].join("\n");
}
