import type { GitHubClient } from "./github-client.js";
// One direction: reactions take the comment reference that replies define; reply-to-comment imports nothing back.
import type { CommentRef } from "./reply-to-comment.js";

/** 👀 on a command being acted on, 🚀 once submitted, 😕 on a refusal or failure. */
export type ReactionContent = "eyes" | "rocket" | "confused";

/** Adds a reaction to the command's comment; GitHub answers 200 when it is already there. */
export async function reactToComment(octokit: GitHubClient, ref: CommentRef, content: ReactionContent): Promise<void> {
  await octokit.rest.reactions.createForIssueComment({ owner: ref.owner, repo: ref.repo, comment_id: ref.commentId, content });
}
