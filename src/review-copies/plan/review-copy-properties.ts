import { createHash } from "node:crypto";

/** The identity of one review copy: which notebook of which pull request, at which commit. */
export interface ReviewCopyIdentity {
  owner: string;
  repo: string;
  /** GitHub's numeric repository id: stable across renames and transfers. */
  repoId: number;
  prNumber: number;
  path: string;
  sha: string;
}

/** Drive caps each app property at 124 bytes of UTF-8, key and value together. */
const PROPERTY_BYTES = 124;

export const PROPERTY = {
  marker: "nbtrain",
  repoId: "nbtrain_repo_id",
  pr: "nbtrain_pr",
  pathId: "nbtrain_path_id",
  path: "nbtrain_path",
  repo: "nbtrain_repo",
  sha: "nbtrain_sha",
} as const;

/**
 * The Drive `appProperties` a review copy carries, so the bot finds its files again with no state
 * of its own. Lookups use the short, fixed-size keys (repository id, PR number, a hash of the
 * path); the repository name and the path are kept for people, cut to Drive's size limit.
 */
export function reviewCopyProperties(copy: ReviewCopyIdentity): Record<string, string> {
  return {
    [PROPERTY.marker]: "review-copy",
    [PROPERTY.repoId]: String(copy.repoId),
    [PROPERTY.pr]: String(copy.prNumber),
    [PROPERTY.pathId]: pathId(copy.path),
    [PROPERTY.sha]: copy.sha,
    [PROPERTY.repo]: fit(PROPERTY.repo, `${copy.owner}/${copy.repo}`),
    [PROPERTY.path]: fit(PROPERTY.path, copy.path),
  };
}

/** A fixed-size id for a path: paths can be far longer than a property may be. */
export function pathId(path: string): string {
  return createHash("sha256").update(path, "utf8").digest("hex").slice(0, 32);
}

/** The Drive `q` that finds every review copy of one pull request, in any folder. */
export function reviewCopiesQuery(repoId: number, prNumber: number): string {
  return [
    `appProperties has { key='${PROPERTY.marker}' and value='review-copy' }`,
    `appProperties has { key='${PROPERTY.repoId}' and value='${repoId}' }`,
    `appProperties has { key='${PROPERTY.pr}' and value='${prNumber}' }`,
    "trashed = false",
  ].join(" and ");
}

function fit(key: string, value: string): string {
  const room = PROPERTY_BYTES - Buffer.byteLength(key, "utf8");
  if (Buffer.byteLength(value, "utf8") <= room) return value;
  // Keep the end, which names the file; cut on a code point boundary.
  const chars = [...value];
  let kept = "";
  for (let i = chars.length - 1; i >= 0; i--) {
    const next = chars[i] + kept;
    if (Buffer.byteLength(`…${next}`, "utf8") > room) break;
    kept = next;
  }
  return `…${kept}`;
}
