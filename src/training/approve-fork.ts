import type { TrainDeps } from "./train-deps.js";
import { APPROVAL_MEANING } from "../commands/judge-fork-trust.js";
import { ForkApprovals } from "../runs/fork-approvals.js";
import { isFork, type PullHead } from "./fork-trust.js";

/** Maintainers approve fork commits: `maintain` or `admin`, whatever `train.permission` says. */
export const APPROVER_PERMISSIONS = new Set(["maintain", "admin"]);

export type ApproveOutcome = { ok: true; message: string } | { ok: false; message: string };

/**
 * `/train approve` or the **Approve fork** button: records that `by` approved the PR's head commit
 * `headSha` for training, in the store (every instance sees it). Answers what to tell the PR.
 */
export async function approveFork(
  input: { owner: string; repo: string; pull: PullHead; headSha: string; by: string; permission: string },
  train: Pick<TrainDeps, "store">,
  now: Date,
): Promise<ApproveOutcome> {
  if (!APPROVER_PERMISSIONS.has(input.permission)) {
    return { ok: false, message: `Approving a fork's commit for training needs **maintain** or **admin** permission on this repository, and @${input.by} has **${input.permission}**, so nothing was approved.` };
  }
  if (!isFork(input.pull)) return { ok: false, message: "This pull request does not come from a fork: it needs no approval, `/train` runs it as it is." };
  await new ForkApprovals(train.store).approve(input.owner, input.repo, input.pull.number, input.headSha, input.by, now);
  return { ok: true, message: `@${input.by} approved commit \`${input.headSha.slice(0, 7)}\` of this fork for training; comment \`/train\` to start a run.\n\n${APPROVAL_MEANING}` };
}
