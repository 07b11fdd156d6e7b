import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Store } from "../../storage/store.js";
import { SourceError } from "./source-error.js";

export interface LfsFetchOptions {
  /** The unpacked tree. */
  root: string;
  /** Repository paths of the pointer files (as `unpackArchive` found them). */
  pointers: string[];
  /** The run's store: objects are kept as `lfs/<oid>` so later attempts need no token. */
  store: Store;
  owner: string;
  repo: string;
  /** The API root; the LFS endpoint is on the matching web host. */
  apiUrl: string;
  token?: string;
  /** Total bytes of LFS content at most. */
  maxBytes: number;
  fetch?: typeof globalThis.fetch;
}

export interface LfsFetchResult {
  fetched: number;
  restored: number;
  bytes: number;
}

interface Pointer {
  file: string;
  oid: string;
  size: number;
}

/** The web host's LFS batch endpoint for an API root: api.github.com → github.com, `https://ghe/api/v3` → `https://ghe`. */
export function lfsBatchUrl(apiUrl: string, owner: string, repo: string): string {
  const api = new URL(apiUrl);
  const web = api.hostname === "api.github.com" ? `${api.protocol}//github.com` : `${api.protocol}//${api.host}`;
  return `${web}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}.git/info/lfs/objects/batch`;
}

function parsePointer(text: string, file: string): Pointer {
  const oid = /^oid sha256:([0-9a-f]{64})$/mu.exec(text)?.[1];
  const size = /^size (\d+)$/mu.exec(text)?.[1];
  if (!oid || size === undefined) throw new SourceError("corrupt-archive", `${file} looks like a Git LFS pointer but has no sha256 oid and size; fix the pointer file.`);
  return { file, oid, size: Number(size) };
}

/**
 * Replaces Git LFS pointer files with their content (opt-in: `source.lfs`). Each object is taken
 * from the run's store when an earlier attempt kept it, else fetched through the LFS batch API
 * with the job's token, checked against the pointer's sha256 and size, and kept in the store.
 * A missing or mismatched object fails the run: the notebook never sees pointer text as data.
 */
export async function fetchLfsObjects(options: LfsFetchOptions): Promise<LfsFetchResult> {
  const fetch = options.fetch ?? globalThis.fetch;
  const pointers: Pointer[] = [];
  for (const file of options.pointers) pointers.push(parsePointer(await readFile(path.join(options.root, ...file.split("/")), "utf8"), file));
  const total = pointers.reduce((sum, pointer) => sum + pointer.size, 0);
  if (total > options.maxBytes) {
    throw new SourceError("too-large", `The repository's Git LFS objects total ${total} bytes, over the ${options.maxBytes}-byte source cap; raise the cap or keep the data elsewhere.`);
  }
  const result: LfsFetchResult = { fetched: 0, restored: 0, bytes: total };

  const missing: Pointer[] = [];
  for (const pointer of pointers) {
    const stored = await options.store.head(`lfs/${pointer.oid}`);
    if (stored && stored.size === pointer.size && stored.sha256 === pointer.oid) {
      await place(pointer, options.root, await options.store.get(`lfs/${pointer.oid}`));
      result.restored++;
    } else {
      missing.push(pointer);
    }
  }
  if (missing.length === 0) return result;
  if (!options.token) {
    throw new SourceError("no-token", `${missing.length} Git LFS object${missing.length === 1 ? " is" : "s are"} not in the run's store and this attempt has no GitHub token to fetch them. Comment /train again to start a fresh run.`);
  }

  const unique = [...new Map(missing.map((pointer) => [pointer.oid, pointer])).values()];
  const response = await fetch(lfsBatchUrl(options.apiUrl, options.owner, options.repo), {
    method: "POST",
    headers: {
      accept: "application/vnd.git-lfs+json",
      "content-type": "application/vnd.git-lfs+json",
      authorization: `Basic ${Buffer.from(`x-access-token:${options.token}`).toString("base64")}`,
      "user-agent": "nbtrain-runner",
    },
    body: JSON.stringify({ operation: "download", transfers: ["basic"], objects: unique.map(({ oid, size }) => ({ oid, size })), hash_algo: "sha256" }),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new SourceError(response.status === 401 || response.status === 403 ? "unauthorized" : "download-failed", `GitHub's Git LFS service answered HTTP ${response.status} to the batch request; LFS content could not be fetched.`);
  }
  const batch = (await response.json()) as { objects?: Array<{ oid?: string; size?: number; error?: { message?: string }; actions?: { download?: { href?: string; header?: Record<string, string> } } }> };
  for (const pointer of unique) {
    const object = batch.objects?.find((candidate) => candidate.oid === pointer.oid);
    const action = object?.actions?.download;
    if (!object || object.error || !action?.href) {
      throw new SourceError("not-found", `Git LFS object ${pointer.oid.slice(0, 12)}… (${pointer.file}) is not available: ${object?.error?.message ?? "the LFS service did not offer it"}.`);
    }
    // The href carries its own authorisation (in `header`); the job's token is not sent there.
    const download = await fetch(action.href, { headers: { ...(action.header ?? {}), "user-agent": "nbtrain-runner" } });
    if (!download.ok || !download.body) {
      await download.body?.cancel();
      throw new SourceError("download-failed", `Git LFS object ${pointer.oid.slice(0, 12)}… (${pointer.file}) could not be downloaded (HTTP ${download.status}).`);
    }
    const staged = path.join(options.root, `.nbtrain-lfs-${pointer.oid}`);
    await receive(Readable.fromWeb(download.body as import("node:stream/web").ReadableStream<Uint8Array>), staged, pointer);
    await options.store.put(`lfs/${pointer.oid}`, createReadStream(staged), { size: pointer.size, sha256: pointer.oid, contentType: "application/octet-stream" });
    for (const same of missing.filter((candidate) => candidate.oid === pointer.oid)) {
      await place(same, options.root, createReadStream(staged));
      result.fetched++;
    }
    await rm(staged, { force: true });
  }
  return result;
}

/** Writes `body` to `file`, refusing bytes that do not match the pointer's size and sha256. */
async function receive(body: Readable, file: string, pointer: Pointer): Promise<void> {
  const hash = createHash("sha256");
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > pointer.size) return done(mismatch(pointer, "is longer than its pointer says"));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(file, { mode: 0o644 }));
    if (size !== pointer.size || hash.digest("hex") !== pointer.oid) throw mismatch(pointer, "does not match its pointer's size and sha256");
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}

async function place(pointer: Pointer, root: string, body: Readable): Promise<void> {
  const target = path.join(root, ...pointer.file.split("/"));
  const staged = `${target}.nbtrain-lfs`;
  await receive(body, staged, pointer);
  // The pointer is replaced only by complete, verified content.
  await rename(staged, target);
  if ((await stat(target)).size !== pointer.size) throw mismatch(pointer, "changed while it was placed");
}

function mismatch(pointer: Pointer, what: string): SourceError {
  return new SourceError("corrupt-archive", `Git LFS object for ${pointer.file} ${what}; it was not used.`);
}
