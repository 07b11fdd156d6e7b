import type { BlobRef } from "./blob-ref.js";
import { encodePathSegments } from "./encode-path-segments.js";

/** nbviewer's rendering of a notebook at a commit (public repositories only). */
export function nbviewerUrl(ref: BlobRef): string {
  return `https://nbviewer.org/github/${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.repo)}/blob/${encodeURIComponent(ref.sha)}/${encodePathSegments(ref.path)}`;
}
