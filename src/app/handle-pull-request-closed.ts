import type { Context } from "probot";
import { closeReviewCopies } from "../review-copies/close-review-copies.js";
import { readShareSettings } from "../review-copies/read-share-settings.js";
import type { ShareDeps } from "../review-copies/share-review-copies.js";

/**
 * pull_request.closed (merged or not): the PR's review copies are unshared and trashed (see
 * closeReviewCopies). Nothing happens (no Drive call) when the repository does not share.
 */
export function handlePullRequestClosed(share: ShareDeps) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const { pull_request: pr, repository } = context.payload;
    const log = context.log.child({ deliveryId: context.id, repo: repository.full_name, pr: pr.number });
    const settings = await readShareSettings(context, log);
    if (!settings) return;
    await closeReviewCopies({ repositoryId: repository.id, number: pr.number, merged: pr.merged === true }, settings, share, log);
  };
}
