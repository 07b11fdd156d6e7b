/**
 * GitHub's documented size limits. Lengths are measured in UTF-8 bytes, which are never fewer
 * than the characters GitHub counts, so a body within these never gets rejected.
 */
export const GITHUB_LIMITS = {
  commentBody: 65_536,
  checkRunSummary: 65_535,
  checkRunText: 65_535,
  annotationsPerRequest: 50,
} as const;

/** Size of a string as GitHub may count it, in UTF-8 bytes. */
export function textSize(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
