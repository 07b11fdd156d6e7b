import { TRAIN_HELP } from "../commands/train-help.js";
import type { GitHubClient } from "../github/github-client.js";
import { reactToComment } from "../github/react-to-comment.js";
import { replyToComment, type CommentRef } from "../github/reply-to-comment.js";

/** A refusal: 😕 and a reply that says why. */
export async function refuse(octokit: GitHubClient, ref: CommentRef, message: string, withHelp = false): Promise<void> {
  await reactToComment(octokit, ref, "confused");
  await replyToComment(octokit, ref, withHelp ? `${message}\n\n<details><summary>How to write /train</summary>\n\n${TRAIN_HELP}\n</details>` : message);
}
