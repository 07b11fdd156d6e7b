import type { TrainDeps } from "./train-deps.js";
import { readPermission } from "../github/authorize-commenter.js";
import { replyToComment } from "../github/reply-to-comment.js";
import { approveFork } from "./approve-fork.js";
import { markForkApproved } from "./fork-trust.js";
import { refuse } from "./refuse-comment.js";
import type { TrainComment } from "./train-comment.js";

/**
 * `/train approve`: a maintainer approves the PR's current head commit, whatever `train.permission`
 * lets run (the approval vouches for a stranger's code). The permission and the PR are read together.
 */
export async function approveForkCommand(comment: TrainComment, train: Pick<TrainDeps, "store">, now: () => Date): Promise<void> {
  const { octokit, ref } = comment;
  if (comment.issueClosed) {
    await refuse(octokit, ref, "This pull request is closed, so nothing was approved. Reopen it first.");
    return;
  }
  const [permission, { data: pull }] = await Promise.all([
    readPermission(octokit, ref, ref.commenter),
    octokit.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: ref.issueNumber }),
  ]);
  const outcome = await approveFork({ owner: ref.owner, repo: ref.repo, pull, headSha: pull.head.sha, by: ref.commenter, permission }, train, now());
  if (!outcome.ok) {
    await refuse(octokit, ref, outcome.message);
    return;
  }
  comment.log.info({ sha: pull.head.sha, by: ref.commenter }, "fork commit approved for training");
  await replyToComment(octokit, ref, outcome.message);
  await markForkApproved(octokit, ref, ref.issueNumber, pull.head.sha, ref.commenter, outcome.message);
}
