import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Readable, pipeline } from "node:stream";
import type { drive_v3 } from "@googleapis/drive";
import { locateDriveCredentials, parseDriveCredentials, type DriveCredentials } from "./drive-credentials.js";
import { IntegrityStream } from "./integrity-stream.js";
import { normaliseKey, normalisePrefix } from "./normalise-key.js";
import type { StoreLocation } from "./parse-store-uri.js";
import type { CreateOutcome, PutOptions, Store, StoredObject } from "./store.js";
import { StoreError } from "./store-error.js";
import { toReadable } from "./to-readable.js";
import { setTimeout as sleep } from "node:timers/promises";
import { backoffMs, retryTransient, type RetryPolicy } from "./retry-transient.js";
import { resumeDownload } from "./resume-download.js";
import { httpStatusOf, isDroppedConnection, isRetryableStatus } from "./transient-error.js";

const FOLDER = "application/vnd.google-apps.folder";
const UPLOAD_URL = "https://www.googleapis.com/upload/drive/v3/files";
const FILE_FIELDS = "id,name,mimeType,size,md5Checksum,appProperties,modifiedTime";
const QUANTUM = 256 * 1024; // Drive wants every chunk but the last to be a multiple of this
const SCOPES = ["https://www.googleapis.com/auth/drive"];
const BACKOFF = { baseMs: 100, capMs: 4000 };

/** The authorised HTTP client (google-auth-library's, reached through @googleapis/drive). */
export interface DriveHttp {
  request(options: {
    url: string;
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
    headers?: Record<string, string>;
    data?: unknown;
    responseType?: "json" | "text";
    validateStatus?: (status: number) => boolean;
  }): Promise<{ status: number; headers: unknown; data: unknown }>;
}

export interface DriveStoreOptions {
  drive: drive_v3.Drive;
  http: DriveHttp;
  root: { kind: "my-drive" } | { kind: "folder"; id: string };
  /** Folder names under the root, as under /content/drive/MyDrive in Colab. */
  folders: string[];
  /** Bytes per resumable-upload request; rounded up to a multiple of 256 KiB. */
  chunkSize?: number;
  attempts?: number;
  uri: string;
}

interface DriveFile {
  id: string;
  name: string;
  mimeType: string;
  size?: string | null;
  md5Checksum?: string | null;
  appProperties?: Record<string, string> | null;
}

function header(headers: unknown, name: string): string | undefined {
  if (headers && typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown> | undefined)?.[name.toLowerCase()];
  return typeof value === "string" ? value : undefined;
}

function isTransient(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status !== undefined) {
    if (isRetryableStatus(status)) return true;
    // Drive signals rate limits as 403 with these reasons.
    return status === 403 && /rateLimitExceeded|userRateLimitExceeded/.test(JSON.stringify((error as { response?: { data?: unknown } }).response?.data ?? ""));
  }
  return isDroppedConnection(error) || /network/i.test(String((error as Error | undefined)?.message ?? error));
}

function explain(error: unknown, where: string): unknown {
  const status = httpStatusOf(error);
  if (status === 401 || (status === 400 && /invalid_grant|unauthorized_client/.test(String((error as Error).message)))) {
    return new StoreError("credentials", `${where}: Google refused the Drive credentials. Renew the refresh token or key.`, { cause: error });
  }
  if (status === 403 && !isTransient(error)) {
    return new StoreError("credentials", `${where}: no permission. Share the folder with the account or use a broader scope.`, { cause: error });
  }
  // Only reached once the store's retries are spent.
  if (isTransient(error)) {
    const answer = status === undefined ? "the connection failed" : `Drive answered HTTP ${status}`;
    return new StoreError("unavailable", `${where}: ${answer} on every attempt. Drive is busy or unreachable; try again later.`, { cause: error });
  }
  return error;
}

/** Quotes a name for a Drive query (`q`), where `\` and `'` are escaped with a backslash. */
function quote(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * A store in Google Drive. Keys map to folders and a file under the store's base folder, so
 * `gdrive://MyDrive/nbtrain/runs` with key `o/r/1/checkpoints/ep3.pt` is
 * `/content/drive/MyDrive/nbtrain/runs/o/r/1/checkpoints/ep3.pt` in Colab after `drive.mount`.
 * Uploads use Drive's resumable protocol; a file or revision appears only when its last chunk
 * lands, and the last chunk is held back until the bytes' hash is checked. The sha256 is kept in
 * `appProperties` together with our md5, which must equal Drive's `md5Checksum` for it to count:
 * a revision written by someone else is then checked by Drive's md5 instead.
 */
export class DriveStore implements Store {
  readonly uri: string;
  private readonly drive: drive_v3.Drive;
  private readonly http: DriveHttp;
  private readonly rootId: string;
  private readonly base: string[];
  private readonly chunkSize: number;
  private readonly attempts: number;
  private readonly retryPolicy: RetryPolicy;
  /** Folder ids by path, shared by concurrent calls so a folder is created once. */
  private readonly folders = new Map<string, Promise<string | null>>();

  constructor(options: DriveStoreOptions) {
    this.drive = options.drive;
    this.http = options.http;
    this.rootId = options.root.kind === "my-drive" ? "root" : options.root.id;
    this.base = options.folders;
    this.chunkSize = Math.max(QUANTUM, Math.ceil((options.chunkSize ?? 8 * 1024 * 1024) / QUANTUM) * QUANTUM);
    this.attempts = Math.max(options.attempts ?? 5, 1);
    this.retryPolicy = { attempts: this.attempts, isTransient, ...BACKOFF };
    this.uri = options.uri;
  }

  async put(key: string, body: Readable | Uint8Array, options: PutOptions = {}): Promise<StoredObject> {
    const k = normaliseKey(key);
    const { folder, name } = this.split(k);
    const parent = (await this.folderId(folder, true))!;
    const existing = await this.findChild(parent, name, false);
    const session = await this.startSession(existing, parent, name, options.contentType);
    const sha = createHash("sha256");
    const md5 = createHash("md5");
    let total = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let uploaded: DriveFile | undefined;
    try {
      for await (const piece of toReadable(body) as AsyncIterable<Buffer>) {
        const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
        sha.update(chunk);
        md5.update(chunk);
        total += chunk.length;
        if (options.size !== undefined && total > options.size) throw this.mismatch(k, `more than the expected ${options.size} bytes`);
        pending.push(chunk);
        pendingBytes += chunk.length;
        // Keep at least one byte back: the final request must carry the total size.
        while (pendingBytes > this.chunkSize) {
          const all = Buffer.concat(pending);
          await this.sendChunk(session, all.subarray(0, this.chunkSize), total - pendingBytes, undefined);
          pending = [all.subarray(this.chunkSize)];
          pendingBytes -= this.chunkSize;
        }
      }
      const digest = { size: total, sha256: sha.digest("hex") };
      if (options.size !== undefined && options.size !== total) throw this.mismatch(k, `${total} bytes instead of ${options.size}`);
      if (options.sha256 !== undefined && options.sha256 !== digest.sha256) throw this.mismatch(k, `sha256 ${digest.sha256} instead of ${options.sha256}`);
      uploaded = await this.sendChunk(session, Buffer.concat(pending), total - pendingBytes, total);
      const ourMd5 = md5.digest("hex");
      if (uploaded?.md5Checksum && uploaded.md5Checksum !== ourMd5) {
        throw this.mismatch(k, `Drive's md5 ${uploaded.md5Checksum} after upload instead of ${ourMd5}`);
      }
      await this.retry(`recording the hash of "${k}"`, () =>
        this.drive.files.update({
          fileId: uploaded!.id,
          supportsAllDrives: true,
          fields: "id",
          requestBody: { appProperties: { sha256: digest.sha256, md5: ourMd5 } },
        }),
      );
      return { key: k, ...digest };
    } catch (error) {
      if (!uploaded) {
        // Never finished: cancel the session so nothing half-written can ever complete.
        await this.http.request({ url: session, method: "DELETE", validateStatus: () => true }).catch(() => undefined);
      }
      throw explain(error, `put of "${k}" to ${this.uri}`);
    }
  }

  /**
   * Drive has no conditional write on names, so a create is made of two steps that each hold on
   * their own. The file gets an id from `files.generateIds` before it is created: a create retried
   * after a lost answer is refused (409) for that id instead of making a second file, so one caller
   * never makes two. Then, since another instance may have created the same name meanwhile, the
   * same-named files are listed and the oldest (created first, then smallest id) is the winner;
   * a loser deletes its own file and answers `exists`. This is as exact as Drive's listing.
   */
  async create(key: string, body: Uint8Array, options: { contentType?: string } = {}): Promise<CreateOutcome> {
    const k = normaliseKey(key);
    const { folder, name } = this.split(k);
    const parent = (await this.folderId(folder, true))!;
    if (await this.findChild(parent, name, false)) return "exists";
    const generated = await this.retry(`reserving an id for "${k}"`, () => this.drive.files.generateIds({ count: 1, space: "drive", type: "files" })).catch(
      (error: unknown) => {
        throw explain(error, `reserving an id for "${k}" in ${this.uri}`);
      },
    );
    const id = generated.data.ids?.[0];
    if (!id) throw new StoreError("unavailable", `Drive generated no file id for "${k}". Try again.`);
    const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const appProperties = { sha256: createHash("sha256").update(bytes).digest("hex"), md5: createHash("md5").update(bytes).digest("hex") };
    const boundary = `nbtrain-${id}`;
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify({ id, name, parents: [parent], appProperties })}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Type: ${options.contentType ?? "application/octet-stream"}\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    await this.retry(`creating "${k}"`, () =>
      this.http.request({
        url: `${UPLOAD_URL}?uploadType=multipart&supportsAllDrives=true&fields=id`,
        method: "POST",
        headers: { "Content-Type": `multipart/related; boundary=${boundary}` },
        data: multipart,
      }),
    ).catch((error: unknown) => {
      // 409 for our own generated id: an earlier try of this very request landed.
      if (httpStatusOf(error) !== 409) throw explain(error, `creating "${k}" in ${this.uri}`);
    });
    const same = await this.retry(`looking up "${name}"`, () =>
      this.drive.files.list({
        q: `${quote(parent)} in parents and name = ${quote(name)} and mimeType != '${FOLDER}' and trashed = false`,
        fields: "files(id,createdTime)",
        orderBy: "createdTime",
        pageSize: 100,
        spaces: "drive",
        supportsAllDrives: true,
        includeItemsFromAllDrives: true,
      }),
    ).catch((error: unknown) => {
      throw explain(error, `looking up "${name}" in ${this.uri}`);
    });
    const files = (same.data.files ?? []).filter((file): file is { id: string; createdTime: string } => Boolean(file.id && file.createdTime));
    files.sort((a, b) => (a.createdTime === b.createdTime ? (a.id < b.id ? -1 : 1) : a.createdTime < b.createdTime ? -1 : 1));
    if (files.length === 0 || files[0]!.id === id) return "created";
    await this.retry(`withdrawing "${k}"`, () => this.drive.files.delete({ fileId: id, supportsAllDrives: true })).catch((error: unknown) => {
      if (httpStatusOf(error) !== 404) throw explain(error, `withdrawing the losing create of "${k}" in ${this.uri}`);
    });
    return "exists";
  }

  async get(key: string): Promise<Readable> {
    const k = normaliseKey(key);
    const file = await this.findFile(k);
    if (!file) throw new StoreError("not-found", `No object "${k}" in ${this.uri}.`);
    return this.download(k, file);
  }

  private async download(k: string, file: DriveFile): Promise<Readable> {
    const expected = { size: Number(file.size ?? 0), ...this.expectedHash(file) };
    const response = await this.retry(`get of "${k}"`, () =>
      this.drive.files.get({ fileId: file.id, alt: "media", supportsAllDrives: true }, { responseType: "stream" }),
    ).catch((error: unknown) => {
      throw explain(error, `get of "${k}"`);
    });
    const check = new IntegrityStream(expected, `"${k}" in ${this.uri}`);
    // A dropped connection resumes where it stopped; the whole is still checked against Drive's md5 (or our sha256).
    const body = resumeDownload({
      first: response.data as unknown as AsyncIterable<Buffer>,
      size: expected.size,
      attempts: this.attempts,
      backoff: BACKOFF,
      isTransient,
      reopen: async (offset) => {
        const ranged = await this.drive.files
          .get({ fileId: file.id, alt: "media", supportsAllDrives: true }, { responseType: "stream", headers: { Range: `bytes=${offset}-` } })
          .catch((failure: unknown) => {
            throw explain(failure, `get of "${k}"`);
          });
        if (ranged.status !== 206 || !header(ranged.headers, "content-range")?.startsWith(`bytes ${offset}-`)) {
          throw new StoreError("unavailable", `Drive ignored the range request while resuming "${k}" in ${this.uri}. Read it again.`);
        }
        return ranged.data as unknown as AsyncIterable<Buffer>;
      },
      giveUp: (error, failures, offset) => {
        const code = (error as { code?: unknown }).code;
        const why = `${(error as Error).message}${typeof code === "string" && !(error as Error).message.includes(code) ? ` (${code})` : ""}`;
        return new StoreError(
          "unavailable",
          `get of "${k}" in ${this.uri}: the connection dropped ${failures} times, the last after ${offset} of ${expected.size} bytes (${why}). Try again later.`,
          { cause: error },
        );
      },
    });
    pipeline(Readable.from(body), check, () => undefined);
    return check;
  }

  async head(key: string): Promise<StoredObject | null> {
    const k = normaliseKey(key);
    const file = await this.findFile(k);
    return file ? this.describe(k, file) : null;
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    for (const { key, file } of await this.files(prefix)) objects.push(await this.describe(key, file));
    return objects;
  }

  async listSizes(prefix: string): Promise<Array<{ key: string; size: number }>> {
    return (await this.files(prefix)).map(({ key, file }) => ({ key, size: Number(file.size ?? 0) }));
  }

  /** The files under `prefix`, sorted by key; of same-named duplicates, the newest. */
  private async files(prefix: string): Promise<Array<{ key: string; file: DriveFile }>> {
    const p = normalisePrefix(prefix);
    const folderPath = p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "";
    const folder = folderPath === "" ? [] : folderPath.split("/");
    const id = await this.folderId(folder, false);
    if (id === null) return [];
    const found: { key: string; file: DriveFile }[] = [];
    await this.walk(id, folderPath, found);
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const files: Array<{ key: string; file: DriveFile }> = [];
    let last: string | undefined;
    for (const entry of found) {
      if (!entry.key.startsWith(p) || entry.key === last) continue; // same-named duplicates: the newest wins
      last = entry.key;
      files.push(entry);
    }
    return files;
  }

  /** The Drive file id at `key` (the newest of same-named duplicates), or null: Colab opens a Drive file by id. */
  async driveFileId(key: string): Promise<string | null> {
    const file = await this.findFile(normaliseKey(key));
    return file ? file.id : null;
  }

  async delete(key: string): Promise<void> {
    const k = normaliseKey(key);
    const file = await this.findFile(k);
    if (!file) return;
    await this.retry(`delete of "${k}"`, () => this.drive.files.delete({ fileId: file.id, supportsAllDrives: true })).catch((error: unknown) => {
      if (httpStatusOf(error) !== 404) throw explain(error, `delete of "${k}"`);
    });
  }

  private split(key: string): { folder: string[]; name: string } {
    const segments = key.split("/");
    return { folder: segments.slice(0, -1), name: segments[segments.length - 1]! };
  }

  /** The sha256 to check against, when it provably belongs to the current revision; else Drive's md5. */
  private expectedHash(file: DriveFile): { sha256?: string; md5?: string } {
    const props = file.appProperties ?? {};
    if (props.sha256 && props.md5 && file.md5Checksum && props.md5 === file.md5Checksum) return { sha256: props.sha256 };
    return file.md5Checksum ? { md5: file.md5Checksum } : {};
  }

  private async describe(key: string, file: DriveFile): Promise<StoredObject> {
    const expected = this.expectedHash(file);
    if (expected.sha256) return { key, size: Number(file.size ?? 0), sha256: expected.sha256 };
    // Written by someone else (Colab, the web UI): hash it once by reading it.
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of (await this.download(key, file)) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    return { key, size, sha256: hash.digest("hex") };
  }

  private async findFile(key: string): Promise<DriveFile | null> {
    const { folder, name } = this.split(key);
    const parent = await this.folderId(folder, false);
    return parent === null ? null : this.findChild(parent, name, false);
  }

  /** Resolves base + `path` to a folder id, creating missing folders when `create` is set. */
  private async folderId(path: string[], create: boolean): Promise<string | null> {
    const full = [...this.base, ...path];
    let id = this.rootId;
    for (let i = 1; i <= full.length; i++) {
      const next = await this.childFolder(id, full.slice(0, i).join("/"), full[i - 1]!, create);
      if (next === null) return null;
      id = next;
    }
    return id;
  }

  /** One folder level, single-flight: concurrent puts wait for one lookup or creation. */
  private async childFolder(parentId: string, cacheKey: string, name: string, create: boolean): Promise<string | null> {
    const cached = this.folders.get(cacheKey);
    if (cached) {
      const id = await cached;
      if (id !== null || !create) return id;
      if (this.folders.get(cacheKey) !== cached) return this.childFolder(parentId, cacheKey, name, create);
    }
    const promise = (async () => {
      const found = await this.findChild(parentId, name, true);
      if (found) return found.id;
      if (!create) return null;
      const created = await this.retry(`creating folder "${name}"`, () =>
        this.drive.files.create({ supportsAllDrives: true, fields: "id", requestBody: { name, mimeType: FOLDER, parents: [parentId] } }),
      ).catch((error: unknown) => {
        throw explain(error, `creating folder "${name}" in ${this.uri}`);
      });
      if (!created.data.id) throw new StoreError("unavailable", `Drive created folder "${name}" but returned no id. Try again.`);
      return created.data.id;
    })();
    this.folders.set(cacheKey, promise);
    // Only ids are remembered: a missing folder may appear later, and a failure may pass.
    promise.then(
      (id) => id === null && this.folders.get(cacheKey) === promise && this.folders.delete(cacheKey),
      () => this.folders.get(cacheKey) === promise && this.folders.delete(cacheKey),
    );
    return promise;
  }

  private async findChild(parentId: string, name: string, folder: boolean): Promise<DriveFile | null> {
    const type = folder ? `mimeType = '${FOLDER}'` : `mimeType != '${FOLDER}'`;
    const response = await this.retry(`looking up "${name}"`, () =>
      this.drive.files.list({
        q: `${quote(parentId)} in parents and name = ${quote(name)} and ${type} and trashed = false`,
        fields: `files(${FILE_FIELDS})`,
        orderBy: "modifiedTime desc",
        pageSize: 10,
        spaces: "drive",
        supportsAllDrives: true,
        includeItemsFromAllDrives: true,
      }),
    ).catch((error: unknown) => {
      throw explain(error, `looking up "${name}" in ${this.uri}`);
    });
    const file = response.data.files?.[0];
    return file?.id ? (file as DriveFile) : null;
  }

  private async walk(folderId: string, folderKey: string, out: { key: string; file: DriveFile }[]): Promise<void> {
    let pageToken: string | undefined;
    do {
      const response = await this.retry(`listing ${this.uri}`, () =>
        this.drive.files.list({
          q: `${quote(folderId)} in parents and trashed = false`,
          fields: `nextPageToken, files(${FILE_FIELDS})`,
          orderBy: "modifiedTime desc",
          pageSize: 1000,
          pageToken,
          spaces: "drive",
          supportsAllDrives: true,
          includeItemsFromAllDrives: true,
        }),
      ).catch((error: unknown) => {
        throw explain(error, `listing ${this.uri}`);
      });
      for (const file of response.data.files ?? []) {
        // Drive allows "/" inside a name; such a file has no key (it would read as a folder path).
        if (!file.id || !file.name || file.name.includes("/")) continue;
        const key = folderKey === "" ? file.name : `${folderKey}/${file.name}`;
        let valid = true;
        try {
          valid = normaliseKey(key) === key;
        } catch {
          valid = false; // a name no key can have, such as one with a backslash
        }
        if (!valid) continue;
        if (file.mimeType === FOLDER) await this.walk(file.id, key, out);
        else if (!file.mimeType?.startsWith("application/vnd.google-apps.")) out.push({ key, file: file as DriveFile });
      }
      pageToken = response.data.nextPageToken ?? undefined;
    } while (pageToken);
  }

  /** Opens a resumable session: a new file in `parent`, or a new revision of `existing`. */
  private async startSession(existing: DriveFile | null, parent: string, name: string, contentType: string | undefined): Promise<string> {
    const url = existing
      ? `${UPLOAD_URL}/${encodeURIComponent(existing.id)}?uploadType=resumable&supportsAllDrives=true&fields=${encodeURIComponent(FILE_FIELDS)}`
      : `${UPLOAD_URL}?uploadType=resumable&supportsAllDrives=true&fields=${encodeURIComponent(FILE_FIELDS)}`;
    const response = await this.retry(`starting an upload of "${name}"`, () =>
      this.http.request({
        url,
        method: existing ? "PATCH" : "POST",
        headers: { "Content-Type": "application/json; charset=UTF-8", "X-Upload-Content-Type": contentType ?? "application/octet-stream" },
        data: existing ? {} : { name, parents: [parent] },
      }),
    ).catch((error: unknown) => {
      throw explain(error, `starting an upload of "${name}" to ${this.uri}`);
    });
    const location = header(response.headers, "location");
    if (!location) throw new StoreError("unavailable", `Drive did not open an upload session for "${name}". Try again later.`);
    return location;
  }

  /**
   * Sends `data` (which starts at byte `start`) to the session, resending whatever the server did
   * not confirm. `total` is set only on the final request. Returns the file once it is complete.
   */
  private async sendChunk(session: string, data: Buffer, start: number, total: number | undefined): Promise<DriveFile | undefined> {
    let offset = start;
    const end = start + data.length;
    const size = total === undefined ? "*" : String(total);
    for (let failures = 0; ; ) {
      const part = data.subarray(offset - start);
      const range = part.length === 0 ? `bytes */${size}` : `bytes ${offset}-${end - 1}/${size}`;
      let response: { status: number; headers: unknown; data: unknown } | undefined;
      let failure: unknown;
      try {
        response = await this.http.request({
          url: session,
          method: "PUT",
          headers: { "Content-Range": range, "Content-Type": "application/octet-stream" },
          data: part,
          validateStatus: (status) => status < 400 || status === 308,
        });
      } catch (error) {
        failure = error;
      }
      if (response && (response.status === 200 || response.status === 201)) return response.data as DriveFile;
      if (response && response.status === 308) {
        const confirmed = this.confirmed(response.headers);
        if (confirmed >= end && total === undefined) return undefined;
        offset = Math.max(offset, Math.min(confirmed, end));
        continue;
      }
      if (failure !== undefined && (httpStatusOf(failure) === 404 || httpStatusOf(failure) === 410)) {
        throw new StoreError("unavailable", "The Drive upload session expired. Upload the file again.", { cause: failure });
      }
      if (failure !== undefined && !isTransient(failure)) throw failure;
      if (++failures >= this.attempts) throw failure ?? new Error(`Drive answered ${response?.status} to an upload chunk`);
      await sleep(backoffMs(failures, BACKOFF.baseMs, BACKOFF.capMs));
      offset = await this.queryOffset(session, size, offset, end);
    }
  }

  /** Asks the session how many bytes it holds (after a failed chunk). */
  private async queryOffset(session: string, size: string, fallback: number, end: number): Promise<number> {
    try {
      const response = await this.http.request({
        url: session,
        method: "PUT",
        headers: { "Content-Range": `bytes */${size}` },
        validateStatus: (status) => status < 400 || status === 308,
      });
      if (response.status === 308) return Math.min(this.confirmed(response.headers), end);
    } catch {
      // unknown: resend from where this chunk's confirmed part ended
    }
    return fallback;
  }

  private confirmed(headers: unknown): number {
    const range = header(headers, "range");
    const match = range ? /bytes=0-(\d+)/.exec(range) : null;
    return match ? Number(match[1]) + 1 : 0;
  }

  private mismatch(key: string, what: string): StoreError {
    return new StoreError("integrity", `Integrity check failed for put of "${key}": got ${what}. Nothing was written; fix the source and put it again.`);
  }

  private retry<T>(_what: string, operation: () => Promise<T>): Promise<T> {
    return retryTransient(this.retryPolicy, operation);
  }
}

/** Builds the auth client for the credentials: a refresh-token OAuth client or a service account. */
async function authorise(credentials: DriveCredentials) {
  const { auth } = await import("@googleapis/drive");
  if (credentials.type === "authorized_user") {
    const client = new auth.OAuth2({ clientId: credentials.client_id, clientSecret: credentials.client_secret });
    client.setCredentials({ refresh_token: credentials.refresh_token });
    return client;
  }
  return new auth.JWT({ email: credentials.client_email, key: credentials.private_key, scopes: SCOPES });
}

/**
 * Builds a Drive store from a parsed `gdrive://` URI, loading `@googleapis/drive` only now.
 * Credentials come from NBTRAIN_GDRIVE_CREDENTIALS (JSON), NBTRAIN_GDRIVE_CREDENTIALS_FILE or
 * GOOGLE_APPLICATION_CREDENTIALS, and are never logged.
 */
export async function createDriveStore(location: Extract<StoreLocation, { kind: "gdrive" }>, env: NodeJS.ProcessEnv): Promise<DriveStore> {
  const found = locateDriveCredentials(env);
  let text: string;
  if ("text" in found) {
    text = found.text;
  } else {
    try {
      text = await readFile(found.file, "utf8");
    } catch {
      throw new StoreError("credentials", `Cannot read the Drive credentials file named by ${found.source}. Check the path.`);
    }
  }
  const credentials = parseDriveCredentials(text, found.source);
  const authClient = await authorise(credentials);
  const { drive } = await import("@googleapis/drive");
  const root = location.root.kind === "my-drive" ? "MyDrive" : `folder/${location.root.id}`;
  const chunkKiB = env.NBTRAIN_GDRIVE_CHUNK_KIB;
  if (chunkKiB !== undefined && !(/^\d+$/.test(chunkKiB) && Number(chunkKiB) > 0 && Number(chunkKiB) % 256 === 0)) {
    throw new StoreError("invalid-uri", `NBTRAIN_GDRIVE_CHUNK_KIB must be a positive multiple of 256, not ${JSON.stringify(chunkKiB)}.`);
  }
  return new DriveStore({
    ...(chunkKiB ? { chunkSize: Number(chunkKiB) * 1024 } : {}),
    // The store retries transient failures itself (5 attempts with backoff); the client's own
    // retries underneath would multiply them to ~20 requests and minutes of waiting per call.
    drive: drive({ version: "v3", auth: authClient, retry: false }),
    http: authClient as unknown as DriveHttp,
    root: location.root,
    folders: location.folders,
    uri: `gdrive://${[root, ...location.folders.map(encodeURIComponent)].join("/")}`,
  });
}
