import type { Context } from "probot";
import type { TrainDeps } from "./train-deps.js";
import { readPermission } from "../github/authorize-commenter.js";
import type { GitHubClient } from "../github/github-client.js";
import { approveFork } from "./approve-fork.js";
import { markForkApproved } from "./fork-trust.js";

/**
 * **Approve fork** on the approval check run: the clicker needs maintain or admin. The check run
 * names its PR in its external id (a fork's check run payload lists no pull request) and its
 * commit in `head_sha`; the approval is of that commit. Answered on the PR and in the check run.
 */
export async function approveForkButton(
  click: { owner: string; repo: string; pullNumber: number; headSha: string; user: string; octokit: GitHubClient; log: Context["log"] },
  train: Pick<TrainDeps, "store">,
  now: () => Date,
): Promise<void> {
  const { octokit, owner, repo, pullNumber } = click;
  const [permission, { data: pull }] = await Promise.all([readPermission(octokit, { owner, repo }, click.user), octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber })]);
  const outcome = await approveFork({ owner, repo, pull, headSha: click.headSha, by: click.user, permission }, train, now());
  await octokit.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body: outcome.message });
  if (!outcome.ok) return;
  click.log.info({ sha: click.headSha, by: click.user }, "fork commit approved for training (button)");
  await markForkApproved(octokit, { owner, repo }, pullNumber, click.headSha, click.user, outcome.message);
}
