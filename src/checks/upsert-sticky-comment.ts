import { composeStickyComment, type StickyChange } from "../report/compose-sticky-comment.js";
import { STICKY_MARKER } from "../report/render-pr-comment.js";
import type { GitHubClient } from "../github/github-client.js";
import { withKeyedLock } from "../util/keyed-lock.js";

/** Who the App is, to tell its own comments from marker comments anyone else wrote. */
export interface StickySelf {
  /** The App's id; a comment made through an App carries `performed_via_github_app.id`. */
  appId?: number | undefined;
  /**
   * Other instances may write this comment at the same moment (claims live in a shared store):
   * list again after creating, so two comments created at once collapse at once, not on the next event.
   */
  racing?: boolean;
}

interface ListedComment {
  id: number;
  body?: string | undefined;
  user?: { type?: string; login?: string } | null;
  performed_via_github_app?: { id?: number } | null;
}

/**
 * Updates the bot's one comment on a pull request, found by its hidden marker, or creates it.
 * The comment has two parts, the notebook check's and the training Runs section; `change`
 * replaces one of them (a string is the notebook check's part) and keeps the other as found.
 * An unchanged body is not re-sent, so a redelivered event writes nothing.
 *
 * It holds across instances without a lock: only marker comments the App wrote count (a person
 * or another bot pasting the marker is ignored); when several exist (two instances created one
 * each at the same moment, now or in an earlier race), the oldest is kept and the later ones are
 * deleted, on this event or the next. Writes to one PR's comment are serialized in this process;
 * two instances writing different parts at the same instant can still lose one part until its
 * writer's next event (GitHub offers no conditional comment update).
 */
export async function upsertStickyComment(
  octokit: GitHubClient,
  pr: { owner: string; repo: string; number: number },
  change: string | StickyChange,
  self: StickySelf = {},
): Promise<"created" | "updated" | "unchanged"> {
  const { owner, repo } = pr;
  const update: StickyChange = typeof change === "string" ? { kind: "check", body: change } : change;
  return withKeyedLock(`sticky:${owner}/${repo}#${pr.number}`, async () => {
    let ours = await listOwnComments(octokit, pr, self);
    let outcome: "created" | "updated" | "unchanged" = "unchanged";
    if (ours.length === 0) {
      const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: pr.number, body: composeStickyComment(undefined, update) });
      if (!self.racing) return "created";
      // Another instance may have created one at the same moment: list again and keep the oldest.
      outcome = "created";
      ours = await listOwnComments(octokit, pr, self);
      if (!ours.some((comment) => comment.id === data.id)) ours.push({ id: data.id, body: data.body ?? undefined });
    }
    const [keep, ...duplicates] = ours.sort((a, b) => a.id - b.id);
    for (const duplicate of duplicates) {
      await octokit.rest.issues.deleteComment({ owner, repo, comment_id: duplicate.id }).catch((error: unknown) => {
        if ((error as { status?: number }).status !== 404) throw error; // deleted by a racing instance
      });
    }
    const body = composeStickyComment(keep!.body, update);
    if (body === keep!.body) return outcome;
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: keep!.id, body });
    return outcome === "created" ? outcome : "updated";
  });
}

async function listOwnComments(octokit: GitHubClient, pr: { owner: string; repo: string; number: number }, self: StickySelf): Promise<ListedComment[]> {
  const found: ListedComment[] = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, { owner: pr.owner, repo: pr.repo, issue_number: pr.number, per_page: 100 })) {
    for (const comment of page.data as ListedComment[]) {
      if (comment.body?.startsWith(STICKY_MARKER) === true && isOwn(comment, self)) found.push(comment);
    }
  }
  return found;
}

/** Written by this App: a bot account, and through this App when GitHub says which App it was. */
function isOwn(comment: ListedComment, self: StickySelf): boolean {
  if (comment.user?.type !== "Bot") return false;
  const via = comment.performed_via_github_app?.id;
  return via === undefined || self.appId === undefined || via === self.appId;
}
