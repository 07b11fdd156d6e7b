import type { BlobRef } from "./blob-ref.js";
import { encodePathSegments } from "./encode-path-segments.js";

/** The standard "Open in Colab" badge image. */
export const COLAB_BADGE_URL = "https://colab.research.google.com/assets/colab-badge.svg";

/**
 * Colab's GitHub loader URL for a notebook at a commit. Pinned to the SHA, never a branch:
 * branch names with `/` or `.` have broken these links, and a SHA shows reviewers the exact version.
 */
export function colabUrl(ref: BlobRef): string {
  return `https://colab.research.google.com/github/${repoSlug(ref)}/blob/${encodeURIComponent(ref.sha)}/${encodePathSegments(ref.path)}`;
}

function repoSlug(ref: BlobRef): string {
  return `${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.repo)}`;
}
