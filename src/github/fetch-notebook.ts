import type { GitHubClient } from "./github-client.js";

/** GitHub's raw contents API serves files up to this size. */
export const MAX_RAW_BYTES = 100 * 1024 * 1024;

export type FetchedNotebook =
  | {
      kind: "file";
      bytes: Uint8Array;
      /** The same content as text when GitHub sent it as UTF-8 text; saves a decode for the diff. */
      text?: string;
    }
  | { kind: "not-found" }
  | { kind: "too-large" }
  | { kind: "submodule" };

/**
 * Reads one file at a commit with the raw media type, which works up to 100 MB where the JSON
 * contents API stops at 1 MB. A 404 (deleted or renamed since the event), a submodule and a file
 * over the limit are outcomes, not errors; any other failure is thrown.
 */
export async function fetchNotebook(octokit: GitHubClient, ref: { owner: string; repo: string; path: string; sha: string }): Promise<FetchedNotebook> {
  let data: unknown;
  try {
    const response = await octokit.rest.repos.getContent({
      owner: ref.owner,
      repo: ref.repo,
      path: ref.path,
      ref: ref.sha,
      headers: { accept: "application/vnd.github.raw" },
    });
    data = response.data;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status === 404) return { kind: "not-found" };
    if ((status === 403 || status === 413 || status === 422) && /too.?large/iu.test(String((error as Error).message))) return { kind: "too-large" };
    throw error;
  }
  if (typeof data === "string") {
    const bytes = Buffer.from(data, "utf8");
    return bytes.byteLength > MAX_RAW_BYTES ? { kind: "too-large" } : { kind: "file", bytes, text: data };
  }
  const bytes = toBytes(data);
  if (bytes === "submodule") return { kind: "submodule" };
  if (bytes === "directory") return { kind: "not-found" };
  return bytes.byteLength > MAX_RAW_BYTES ? { kind: "too-large" } : { kind: "file", bytes };
}

// Octokit returns text when the content type ends in charset=utf-8, an ArrayBuffer otherwise,
// and parsed JSON when GitHub answers with the JSON form instead (submodules, directories).
function toBytes(data: unknown): Uint8Array | "submodule" | "directory" {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return "directory";
  if (typeof data === "object" && data !== null) {
    const entry = data as { type?: unknown; content?: unknown; encoding?: unknown };
    if (entry.type === "submodule") return "submodule";
    if (entry.type === "dir") return "directory";
    if (entry.type === "file" && typeof entry.content === "string" && entry.encoding === "base64") return Buffer.from(entry.content, "base64");
  }
  // Some proxies drop the media type and hand back the notebook parsed; re-serialise it.
  return Buffer.from(JSON.stringify(data), "utf8");
}
