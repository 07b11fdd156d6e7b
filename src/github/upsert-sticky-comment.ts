import { STICKY_MARKER } from "../report/render-pr-comment.js";
import type { GitHubClient } from "./github-client.js";

/**
 * Updates the bot's one comment on a pull request, found by its hidden marker, or creates it.
 * Listing stops at the page holding the marker. An unchanged body is not re-sent, so a redelivered
 * event writes nothing.
 */
export async function upsertStickyComment(
  octokit: GitHubClient,
  pr: { owner: string; repo: string; number: number },
  body: string,
): Promise<"created" | "updated" | "unchanged"> {
  const { owner, repo } = pr;
  let existing: { id: number; body?: string | undefined } | undefined;
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number: pr.number, per_page: 100 })) {
    // Only a bot's comment counts: a person quoting ours carries the marker too.
    existing = page.data.find((comment) => comment.user?.type === "Bot" && comment.body?.startsWith(STICKY_MARKER) === true);
    if (existing) break;
  }
  if (!existing) {
    await octokit.rest.issues.createComment({ owner, repo, issue_number: pr.number, body });
    return "created";
  }
  if (existing.body === body) return "unchanged";
  await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
  return "updated";
}
