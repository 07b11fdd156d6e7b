import type { Context } from "probot";
import { planPermissions } from "../review-copies/plan/plan-permissions.js";
import { reviewCopiesQuery } from "../review-copies/plan/review-copy-properties.js";
import { describeError } from "../github/describe-error.js";
import { readShareSettings } from "../review-copies/read-share-settings.js";
import type { ShareDeps } from "../review-copies/share-review-copies.js";

/**
 * pull_request.closed (merged or not): the PR's review copies lose every permission the bot
 * granted, then go to the trash unless `share.on_close: keep`. Nothing happens (no Drive call) when
 * the repository does not share. A copy that fails is logged and the others still go; a
 * redelivered event finds nothing left to do.
 */
export function handlePullRequestClosed(share: ShareDeps) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const { pull_request: pr, repository } = context.payload;
    const log = context.log.child({ deliveryId: context.id, repo: repository.full_name, pr: pr.number });
    const settings = await readShareSettings(context, log);
    if (!settings) return;
    try {
      const drive = await share.openDrive();
      const copies = await drive.listCopies(reviewCopiesQuery(repository.id, pr.number));
      let failed = 0;
      for (const copy of copies) {
        try {
          // Permissions first: a kept copy must stop being shared, and a trashed one stays reachable by link until emptied.
          for (const id of planPermissions(await drive.listPermissions(copy.id), []).remove) await drive.deletePermission(copy.id, id);
          if (settings.on_close === "trash") await drive.trash(copy.id);
        } catch (error) {
          failed++;
          log.warn({ fileId: copy.id, reason: describeError(error) }, "could not unshare a review copy");
        }
      }
      log.info({ copies: copies.length, failed, onClose: settings.on_close, merged: pr.merged === true }, "review copies closed");
    } catch (error) {
      log.warn({ reason: describeError(error) }, "could not list the review copies of a closed pull request");
    }
  };
}
