import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SourceError } from "./source-error.js";

export interface DownloadOptions {
  /** `<api>/repos/<owner>/<repo>/tarball/<sha>`. */
  url: string;
  /** Sent to the API host only, never to the host a redirect names (codeload carries its own short-lived token). */
  token?: string;
  /** Where the archive is written; removed again when the download fails. */
  file: string;
  /** Compressed bytes at most; a bigger archive is refused while it streams. */
  maxBytes: number;
  /** Tries in all (default 3); network errors, 5xx and 429 are retried, 401/403/404 are not. */
  attempts?: number;
  /** Wait before the nth retry (default 1 s, 4 s, …). */
  backoffMs?: (retry: number) => number;
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
}

export interface DownloadedArchive {
  file: string;
  size: number;
  sha256: string;
  /** Tries it took (1 when the first succeeded). */
  tries: number;
}

const MAX_REDIRECTS = 5;

/**
 * Downloads a repository tarball, following GitHub's 302 to codeload.github.com by hand so that the
 * token goes to the API host alone. A transfer that breaks off midway, a 5xx or a 429 is tried
 * again from the start (bounded); a missing commit or a refused token fails at once, with what to do.
 */
export async function downloadArchive(options: DownloadOptions): Promise<DownloadedArchive> {
  const attempts = options.attempts ?? 3;
  const backoff = options.backoffMs ?? ((retry: number) => 1000 * 4 ** (retry - 1));
  let lastError: SourceError | null = null;
  for (let tries = 1; tries <= attempts; tries++) {
    if (tries > 1) await sleep(backoff(tries - 1), options.signal);
    try {
      return { ...(await downloadOnce(options)), tries };
    } catch (error) {
      await rm(options.file, { force: true });
      const failure = error instanceof SourceError ? error : new SourceError("download-failed", `the transfer broke off: ${describe(error)}`, true);
      if (!failure.retryable || options.signal?.aborted) throw failure;
      lastError = failure;
    }
  }
  throw new SourceError("download-failed", `The source archive could not be downloaded after ${attempts} tries (last: ${lastError?.message ?? "unknown"}). Retry the run; if it persists, check GitHub's status.`);
}

async function downloadOnce(options: DownloadOptions): Promise<Omit<DownloadedArchive, "tries">> {
  const fetch = options.fetch ?? globalThis.fetch;
  const apiOrigin = new URL(options.url).origin;
  let url = options.url;
  let response: Response | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = { "user-agent": "nbtrain-runner", accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };
    if (options.token && new URL(url).origin === apiOrigin) headers.authorization = `Bearer ${options.token}`;
    response = await fetch(url, { headers, redirect: "manual", ...(options.signal ? { signal: options.signal } : {}) });
    if (response.status >= 300 && response.status < 400 && response.headers.get("location")) {
      await response.body?.cancel();
      url = new URL(response.headers.get("location")!, url).toString();
      if (!url.startsWith("https://") && !url.startsWith("http://")) throw new SourceError("download-failed", "GitHub redirected the archive download to a non-HTTP address; refused.");
      continue;
    }
    break;
  }
  if (!response) throw new SourceError("download-failed", "no response");
  if (response.status >= 300 && response.status < 400) throw new SourceError("download-failed", `The archive download was redirected more than ${MAX_REDIRECTS} times; refused.`);
  if (response.status !== 200) {
    await response.body?.cancel();
    throw statusError(response.status);
  }
  if (!response.body) throw new SourceError("download-failed", "GitHub answered the archive download with no body", true);
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > options.maxBytes) throw tooBig(options.maxBytes);

  const hash = createHash("sha256");
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > options.maxBytes) return done(tooBig(options.maxBytes));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>), meter, createWriteStream(options.file));
  return { file: options.file, size, sha256: hash.digest("hex") };
}

function statusError(status: number): SourceError {
  if (status === 404 || status === 422) {
    return new SourceError(
      "not-found",
      `GitHub has no archive of this commit (HTTP ${status}): the commit was force-pushed away, the repository was removed, or the job's token cannot read it. Comment /train again to run the current head.`,
    );
  }
  if (status === 401 || status === 403) {
    return new SourceError("unauthorized", `GitHub refused the archive download (HTTP ${status}): the job's token expired or lacks contents: read. Comment /train again for a fresh token.`);
  }
  return new SourceError("download-failed", `GitHub answered the archive download with HTTP ${status}`, status >= 500 || status === 429);
}

function tooBig(max: number): SourceError {
  return new SourceError("too-large", `The source archive is over the ${max}-byte download cap; refused. Raise the source size cap or keep large files out of the repository.`);
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause instanceof Error && cause.message !== message ? `${message} (${cause.message})` : message;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
