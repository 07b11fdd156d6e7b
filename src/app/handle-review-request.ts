import type { Context } from "probot";
import { readShareSettings } from "../review-copies/read-share-settings.js";
import type { ShareDeps } from "../review-copies/share-review-copies.js";
import { syncReviewerPermissions } from "../review-copies/sync-reviewer-permissions.js";

/**
 * pull_request.review_requested and review_request_removed: on an open PR of a repository whose
 * review copies go to the reviewers, the copies' permissions follow the new reviewers.
 */
export function handleReviewRequest(share: ShareDeps) {
  return async (context: Context<"pull_request.review_requested" | "pull_request.review_request_removed">): Promise<void> => {
    const { pull_request: pr, repository } = context.payload;
    if (pr.state !== "open") return;
    const log = context.log.child({ deliveryId: context.id, repo: repository.full_name, pr: pr.number });
    const settings = await readShareSettings(context, log);
    if (!settings || settings.audience !== "reviewers") return;
    await syncReviewerPermissions(context, { owner: repository.owner.login, repo: repository.name, number: pr.number, headSha: pr.head.sha }, pr, settings, share);
  };
}
