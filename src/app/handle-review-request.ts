import type { Context } from "probot";
import { readShareSettings } from "../review-copies/read-share-settings.js";
import type { ShareDeps } from "../review-copies/share-review-copies.js";
import { startReviewCopies } from "../review-copies/start-review-copies.js";

/**
 * pull_request.review_requested and review_request_removed: when review copies go to the PR's
 * reviewers, their permissions follow at once rather than at the next push. Nothing is uploaded.
 */
export function handleReviewRequest(share: ShareDeps) {
  return async (context: Context<"pull_request.review_requested" | "pull_request.review_request_removed">): Promise<void> => {
    const { pull_request: pr, repository } = context.payload;
    if (pr.state !== "open") return;
    const log = context.log.child({ deliveryId: context.id, repo: repository.full_name, pr: pr.number });
    const settings = await readShareSettings(context, log);
    if (!settings || settings.audience !== "reviewers") return;
    const session = await startReviewCopies(context, { owner: repository.owner.login, repo: repository.name, number: pr.number, headSha: pr.head.sha }, settings, share, { pr, onDemand: true });
    await session?.syncPermissions();
  };
}
