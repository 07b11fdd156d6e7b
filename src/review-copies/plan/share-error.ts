/**
 * Why a review copy could not be made or changed:
 * - `quota`: the Drive account's storage or API quota is used up;
 * - `permission`: the bot's account may not write to the folder, or may not share as configured;
 * - `folder-missing`: `share.drive_folder` no longer exists, or the bot cannot see it;
 * - `credentials`: the deployment's Drive credentials are missing or refused;
 * - `unavailable`: Drive kept failing after the retries.
 */
export type ShareErrorKind = "quota" | "permission" | "folder-missing" | "credentials" | "unavailable";

/** A Drive failure, worded for the PR comment: it says what happened and what to do, and holds no secret. */
export class ShareError extends Error {
  override readonly name = "ShareError";
  constructor(
    readonly kind: ShareErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** After these the next notebook would fail the same way, so the rest are not tried. */
  get stopsSharing(): boolean {
    return this.kind !== "permission";
  }
}
