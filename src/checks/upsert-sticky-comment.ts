import { composeStickyComment, type StickyChange } from "../report/compose-sticky-comment.js";
import { STICKY_MARKER } from "../report/render-pr-comment.js";
import type { GitHubClient } from "../github/github-client.js";
import { withKeyedLock } from "../util/keyed-lock.js";

/**
 * Updates the bot's one comment on a pull request, found by its hidden marker, or creates it.
 * The comment has two parts, the notebook check's and the training Runs section; `change`
 * replaces one of them (a string is the notebook check's part) and keeps the other as found.
 * Listing stops at the page holding the marker. An unchanged body is not re-sent, so a
 * redelivered event writes nothing. Writes to one PR's comment are serialized in this process.
 */
export async function upsertStickyComment(
  octokit: GitHubClient,
  pr: { owner: string; repo: string; number: number },
  change: string | StickyChange,
): Promise<"created" | "updated" | "unchanged"> {
  const { owner, repo } = pr;
  const update: StickyChange = typeof change === "string" ? { kind: "check", body: change } : change;
  return withKeyedLock(`sticky:${owner}/${repo}#${pr.number}`, async () => {
    let existing: { id: number; body?: string | undefined } | undefined;
    for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number: pr.number, per_page: 100 })) {
      // Only a bot's comment counts: a person quoting ours carries the marker too.
      existing = page.data.find((comment) => comment.user?.type === "Bot" && comment.body?.startsWith(STICKY_MARKER) === true);
      if (existing) break;
    }
    const body = composeStickyComment(existing?.body, update);
    if (!existing) {
      await octokit.rest.issues.createComment({ owner, repo, issue_number: pr.number, body });
      return "created";
    }
    if (existing.body === body) return "unchanged";
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
    return "updated";
  });
}
