import { openGoogleReviewCopyDrive } from "../storage/google-review-copy-drive.js";
import type { ReviewCopyDrive } from "../review-copies/plan/review-copy-drive.js";
import type { ShareDeps } from "../review-copies/share-review-copies.js";

/**
 * Review copies through the deployment's Google Drive credentials (the Drive store's variables).
 * The Drive client is built on first use, when a repository enables `share:`, and then reused;
 * a failure (no credentials yet) is not cached, so fixing the environment needs no restart logic.
 */
export function loadShareDeps(env: NodeJS.ProcessEnv): ShareDeps {
  let drive: Promise<ReviewCopyDrive> | undefined;
  return {
    openDrive: () => {
      drive ??= openGoogleReviewCopyDrive(env).catch((error: unknown) => {
        drive = undefined;
        throw error;
      });
      return drive;
    },
  };
}
