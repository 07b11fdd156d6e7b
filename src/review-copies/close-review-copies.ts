import type { Context } from "probot";
import type { ShareSettings } from "../config/share-config.js";
import { describeError } from "../github/describe-error.js";
import { planPermissions } from "./plan/plan-permissions.js";
import { reviewCopiesQuery } from "./plan/review-copy-properties.js";
import type { ShareDeps } from "./share-review-copies.js";

/**
 * A closed pull request's review copies (merged or not) lose every permission the bot granted,
 * then go to the trash unless `share.on_close: keep`. A copy that fails is logged and the others
 * still go; a redelivered event finds nothing left to do.
 */
export async function closeReviewCopies(
  pr: { repositoryId: number; number: number; merged: boolean },
  settings: ShareSettings,
  share: ShareDeps,
  log: Pick<Context["log"], "info" | "warn">,
): Promise<void> {
  try {
    const drive = await share.openDrive();
    const copies = await drive.listCopies(reviewCopiesQuery(pr.repositoryId, pr.number));
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
    log.info({ copies: copies.length, failed, onClose: settings.on_close, merged: pr.merged }, "review copies closed");
  } catch (error) {
    log.warn({ reason: describeError(error) }, "could not list the review copies of a closed pull request");
  }
}
