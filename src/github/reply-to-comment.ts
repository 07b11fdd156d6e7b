import { GITHUB_LIMITS } from "../report/github-limits.js";
import { truncateText } from "../report/truncate-text.js";
import type { GitHubClient } from "./github-client.js";

/** Where a command was written: enough to reply to it and react to it. */
export interface CommentRef {
  owner: string;
  repo: string;
  issueNumber: number;
  commentId: number;
  commenter: string;
}

/** Replies on the PR, quoting the command's author, within GitHub's comment size limit. */
export async function replyToComment(octokit: GitHubClient, ref: CommentRef, body: string): Promise<void> {
  const text = truncateText(`@${ref.commenter} ${body}`, GITHUB_LIMITS.commentBody, "\n\n_…truncated._");
  await octokit.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.issueNumber, body: text });
}
