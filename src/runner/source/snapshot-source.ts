import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { RUN_FILES } from "../../runs/run-layout.js";
import type { Store } from "../../storage/store.js";
import { downloadArchive } from "./download-archive.js";
import { SourceError } from "./source-error.js";
import { DEFAULT_UNPACK_LIMITS, unpackArchive, type UnpackLimits, type UnpackedTree } from "./unpack-archive.js";

/** The key, under the run's prefix, that keeps the archive for later attempts. */
export const SOURCE_ARCHIVE_KEY = RUN_FILES.source;

export interface SnapshotOptions {
  /** The run's store, already scoped to `runs/<owner>/<repo>/<run-id>/`. */
  store: Store;
  owner: string;
  repo: string;
  sha: string;
  apiUrl: string;
  /** The job's read-only token; needed only when the store does not hold the archive yet (and the repository is private). */
  token?: string;
  /** Where the tree goes; replaced only by a complete, verified tree. */
  dest: string;
  /** Scratch folder for the archive file. */
  scratch: string;
  limits?: Partial<UnpackLimits>;
  fetch?: typeof globalThis.fetch;
  /** Download tries and the wait before each retry (tests shorten it). */
  attempts?: number;
  backoffMs?: (retry: number) => number;
  signal?: AbortSignal;
  /** Something worth telling the user that does not stop the run. */
  warn?: (message: string) => void;
}

export interface SourceSnapshot extends UnpackedTree {
  /** `store` on a later attempt (no token, no GitHub request), `github` on the first. */
  origin: "store" | "github";
  archiveBytes: number;
}

/**
 * Gives the run the repository's tree at `sha`. A later attempt restores the archive the first
 * one stored and asks GitHub nothing, so it needs no token (which expires after an hour). The
 * first attempt downloads it, verifies and unpacks it, and only then stores it, so a bad archive
 * is never kept.
 */
export async function snapshotSource(options: SnapshotOptions): Promise<SourceSnapshot> {
  const limits: UnpackLimits = { ...DEFAULT_UNPACK_LIMITS, ...options.limits };
  await mkdir(options.scratch, { recursive: true });
  const archive = path.join(options.scratch, SOURCE_ARCHIVE_KEY);
  const unpack = () => unpackArchive({ archive, dest: options.dest, commit: options.sha, limits });
  try {
    const stored = await options.store.head(SOURCE_ARCHIVE_KEY);
    if (stored) {
      // The store checks the bytes against the size and sha256 it recorded.
      await pipeline(await options.store.get(SOURCE_ARCHIVE_KEY), createWriteStream(archive));
      return { ...(await unpack()), origin: "store", archiveBytes: stored.size };
    }

    const url = `${options.apiUrl.replace(/\/+$/u, "")}/repos/${encodeURIComponent(options.owner)}/${encodeURIComponent(options.repo)}/tarball/${options.sha}`;
    let downloaded;
    try {
      downloaded = await downloadArchive({
        url,
        file: archive,
        maxBytes: limits.maxBytes,
        ...(options.token ? { token: options.token } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.attempts ? { attempts: options.attempts } : {}),
        ...(options.backoffMs ? { backoffMs: options.backoffMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (!options.token && error instanceof SourceError && (error.code === "not-found" || error.code === "unauthorized")) {
        throw new SourceError(
          "no-token",
          `The run's source archive is not in the store and this attempt has no GitHub token, so ${options.owner}/${options.repo} at ${options.sha.slice(0, 7)} cannot be downloaded (${error.message}). Comment /train again to start a fresh run.`,
        );
      }
      throw error;
    }
    if (downloaded.tries > 1) options.warn?.(`the source archive download was retried; it took ${downloaded.tries} tries`);
    const tree = await unpack();
    try {
      await options.store.put(SOURCE_ARCHIVE_KEY, createReadStream(archive), { size: downloaded.size, sha256: downloaded.sha256, contentType: "application/gzip" });
    } catch (error) {
      options.warn?.(`the source archive could not be kept in the store (${(error as Error).message}); a retry after the token expires will not find it`);
    }
    return { ...tree, origin: "github", archiveBytes: downloaded.size };
  } finally {
    await rm(archive, { force: true });
  }
}
