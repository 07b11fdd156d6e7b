import type { Context } from "probot";
import type { ShareSettings } from "../config/share-config.js";
import type { ShareDeps } from "./share-review-copies.js";
import { startReviewCopies, type PullRequestLike } from "./start-review-copies.js";

/**
 * When review copies go to the PR's reviewers and the requested reviewers change, their
 * permissions follow at once rather than at the next push. Nothing is uploaded.
 */
export async function syncReviewerPermissions(
  context: Context,
  target: { owner: string; repo: string; number: number; headSha: string },
  pr: PullRequestLike,
  settings: ShareSettings,
  share: ShareDeps,
): Promise<void> {
  const session = await startReviewCopies(context, target, settings, share, { pr, onDemand: true });
  await session?.syncPermissions();
}
