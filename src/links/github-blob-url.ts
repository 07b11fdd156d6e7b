import type { BlobRef } from "./blob-ref.js";
import { encodePathSegments } from "./encode-path-segments.js";

/**
 * The file's page on GitHub at a commit. `webBase` is the web host, `https://github.com`
 * unless the app runs against GitHub Enterprise Server.
 */
export function githubBlobUrl(ref: BlobRef, webBase = "https://github.com"): string {
  return `${webBase.replace(/\/+$/u, "")}/${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.repo)}/blob/${encodeURIComponent(ref.sha)}/${encodePathSegments(ref.path)}`;
}
