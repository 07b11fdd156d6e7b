import { checkTrainLimits } from "../commands/check-train-limits.js";
import { deriveBaselineRunId } from "../commands/derive-run-id.js";
import type { TrainConfig } from "../config/train-config.js";
import type { TrainDeps } from "./train-deps.js";
import { fetchNotebook } from "../github/fetch-notebook.js";
import type { GitHubClient } from "../github/github-client.js";
import { RunRegistry } from "../runs/run-registry.js";
import { newRunRequest } from "../runs/run-request.js";
import { countActiveRuns } from "./count-active-runs.js";
import { judgeOperatorPolicy } from "./judge-operator-policy.js";
import { startTrainRun } from "./start-train-run.js";

/** A baseline to train: one notebook at one default-branch commit. */
export interface BaselineTarget {
  owner: string;
  repo: string;
  branch: string;
  commit: string;
  notebook: string;
  parameters: Record<string, string | number | boolean | null>;
  installationId: number;
  /** Who caused it: the pusher, or the maintainer who commented `/train baseline`. */
  requestedBy: string;
}

export type BaselineOutcome =
  | { kind: "submitted"; runId: string; checkRunId: number }
  | { kind: "exists"; runId: string }
  | { kind: "refused"; runId: string; message: string }
  | { kind: "failed"; runId: string; message: string };

/**
 * Starts the baseline run of `target`: the same request, check run, runner, backend and limits as
 * a PR's `/train`, with `request.baseline` set so that its success is recorded as the commit's
 * baseline. Its run id comes from the commit and the notebook, so it trains once per pair.
 */
export async function startBaselineRun(octokit: GitHubClient, target: BaselineTarget, config: TrainConfig, train: TrainDeps, now: () => Date): Promise<BaselineOutcome> {
  const { owner, repo, commit, notebook } = target;
  const runId = deriveBaselineRunId(commit, notebook);
  const registry = new RunRegistry(train.store);
  const stored = await registry.readRequest(owner, repo, runId);
  if (stored?.submittedAt) return { kind: "exists", runId };

  const fetched = await fetchNotebook(octokit, { owner, repo, path: notebook, sha: commit });
  if (fetched.kind !== "file") return { kind: "refused", runId, message: `\`${notebook.replace(/`/gu, "'")}\` is not a notebook file at \`${commit.slice(0, 7)}\` (${fetched.kind}).` };

  // Baselines count against the repository's limit like any run; they have no PR of their own.
  const active = await countActiveRuns(registry, train.compute, { owner, repo, pullNumber: 0, exclude: runId }, {
    perRepo: config.limits.max_concurrent_per_repo,
    perPullRequest: config.limits.max_concurrent_per_repo,
  });
  // The per-PR limit means nothing without a PR: a push's baselines share the repository's.
  const command = { kind: "run" as const, notebook, parameters: target.parameters };
  const limits = checkTrainLimits(command, { ...config, limits: { ...config.limits, max_concurrent_per_pr: config.limits.max_concurrent_per_repo } }, active);
  if (!limits.ok) return { kind: "refused", runId, message: limits.message };
  // Then the operator's allow-lists and caps, as for any run.
  const policy = judgeOperatorPolicy(command, config, limits.resources, train);
  if (!policy.ok) return { kind: "refused", runId, message: policy.message };

  const request = newRunRequest(
    {
      runId,
      commentId: 0,
      owner,
      repo,
      pullNumber: 0,
      headSha: commit,
      baseRef: target.branch,
      notebook,
      parameters: target.parameters,
      resources: limits.resources,
      requestedBy: target.requestedBy,
      installationId: target.installationId,
      baseline: { branch: target.branch, commit },
    },
    stored?.requestedAt ?? now().toISOString(),
  );
  const outcome = await startTrainRun(octokit, { request, notebookBytes: fetched.bytes, source: { requirements: config.requirements, lfs: config.lfs }, stored }, train, now);
  if (outcome.kind === "failed") return { kind: "failed", runId, message: outcome.reason };
  if (outcome.kind === "duplicate") return { kind: "exists", runId };
  return { kind: "submitted", runId, checkRunId: outcome.checkRunId };
}
