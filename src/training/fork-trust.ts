import type { TrainDeps } from "./train-deps.js";
import { judgeForkTrust, type ForkTrust } from "../commands/judge-fork-trust.js";
import type { TrainConfig } from "../config/train-config.js";
import type { GitHubClient } from "../github/github-client.js";
import { ForkApprovals } from "../runs/fork-approvals.js";
import { listTrainCheckRuns } from "./find-train-check-run.js";

/** The parts of a pull request that say whether it comes from a fork. */
export interface PullHead {
  number: number;
  head: { sha: string; repo: { id: number } | null };
  base: { repo: { id: number } };
}

/** A PR whose head lives in another repository (or in one deleted since) is from a fork. */
export function isFork(pull: PullHead): boolean {
  return pull.head.repo?.id !== pull.base.repo.id;
}

/** Whether a `/train` at `headSha` of this PR may run, by the repository's `train.forks` and the approvals in the store. */
export async function checkForkTrust(pull: PullHead, headSha: string, repo: { owner: string; repo: string }, config: TrainConfig, train: Pick<TrainDeps, "store">): Promise<ForkTrust> {
  const fork = isFork(pull);
  if (!fork || config.forks !== "approve") return judgeForkTrust({ isFork: fork, headSha, policy: config.forks, approvedHead: false, approvedEarlier: false });
  const approvals = new ForkApprovals(train.store);
  const approvedHead = (await approvals.find(repo.owner, repo.repo, pull.number, headSha)) !== null;
  const approvedEarlier = !approvedHead && (await approvals.anyFor(repo.owner, repo.repo, pull.number));
  return judgeForkTrust({ isFork: fork, headSha, policy: config.forks, approvedHead, approvedEarlier });
}

/** The check run's button that approves a fork's head commit, as `/train approve` does. */
export const APPROVE_FORK_ACTION = { label: "Approve fork", description: "Train this fork commit (maintainers)", identifier: "nbtrain-approve-fork" } as const;
export const FORK_APPROVAL_CHECK = "nbtrain / train: fork approval";

/**
 * A check run on the fork's head commit that waits for a maintainer: `action_required`, with the
 * **Approve fork** button. Its external id carries the PR number, which a fork's check run
 * payload does not (its `pull_requests` is empty).
 */
export async function requestForkApproval(octokit: GitHubClient, repo: { owner: string; repo: string }, pullNumber: number, headSha: string, message: string, now: Date): Promise<void> {
  // One per commit: a second /train on it finds the button already there.
  const existing = await listTrainCheckRuns(octokit, { ...repo, headSha, name: FORK_APPROVAL_CHECK });
  if (existing.some((run) => run.externalId === `fork-approval:${pullNumber}`)) return;
  await octokit.rest.checks.create({
    owner: repo.owner,
    repo: repo.repo,
    name: FORK_APPROVAL_CHECK,
    head_sha: headSha,
    external_id: `fork-approval:${pullNumber}`,
    status: "completed",
    conclusion: "action_required",
    completed_at: now.toISOString(),
    output: { title: "A maintainer's approval is needed to train this fork commit", summary: message },
    actions: [APPROVE_FORK_ACTION],
  });
}

/** Once approved (by comment or button), the commit's approval check runs say so and lose their button. */
export async function markForkApproved(octokit: GitHubClient, repo: { owner: string; repo: string }, pullNumber: number, headSha: string, by: string, message: string): Promise<void> {
  const runs = await listTrainCheckRuns(octokit, { ...repo, headSha, name: FORK_APPROVAL_CHECK });
  for (const run of runs.filter((each) => each.externalId === `fork-approval:${pullNumber}`)) {
    await octokit.rest.checks.update({ owner: repo.owner, repo: repo.repo, check_run_id: run.id, conclusion: "success", output: { title: `Approved by @${by}`, summary: message }, actions: [] });
  }
}
