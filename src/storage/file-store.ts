import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { link, lstat, mkdir, open, readFile, readdir, rename, rmdir, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { pipeline as pipelineCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { IntegrityStream, type Digest } from "./integrity-stream.js";
import { normaliseKey, normalisePrefix } from "./normalise-key.js";
import type { CreateOutcome, PutOptions, Store, StoredObject } from "./store.js";
import { StoreError } from "./store-error.js";
import { toReadable } from "./to-readable.js";

// Bookkeeping lives beside the objects, on the same file system, so renames stay atomic.
const META_DIR = ".nbtrain-meta";
const TMP_DIR = ".nbtrain-tmp";
const RESERVED = new Set([META_DIR, TMP_DIR]);

/**
 * The sidecar for one object. It is a cache: it counts only while the data file still has the
 * inode, size and mtime it had when the hash was taken. Anything else (a crash between the two
 * renames of a put, a file copied in by hand) is rehashed on demand, so the store never trusts
 * a stale hash yet never pays for hashing on the hot path.
 */
interface Sidecar {
  sha256: string;
  size: number;
  ino: string;
  /** Whole milliseconds: the precision `utimes` and most copy tools preserve. */
  mtimeMs: string;
}

interface FileStat {
  size: number;
  ino: string;
  mtimeMs: string;
}

function isErrno(error: unknown, ...codes: string[]): boolean {
  return typeof error === "object" && error !== null && codes.includes((error as { code?: string }).code ?? "");
}

/** Whole milliseconds, rounded: `utimes` and copy tools round-trip times through floating seconds. */
function roundedMs(mtimeNs: bigint): string {
  return String((mtimeNs + 500_000n) / 1_000_000n);
}

function isValidKey(key: string): boolean {
  try {
    return normaliseKey(key) === key;
  } catch {
    return false;
  }
}

function notFound(key: string): StoreError {
  return new StoreError("not-found", `No object "${key}" in the store.`);
}

/**
 * A store on the local file system, the embedded default (`file://.nbtrain`). Each object is a
 * plain file under `root` (so checkpoints can be opened directly); its sha256 sits in a sidecar
 * under `root/.nbtrain-meta/`. A put writes a temp file, fsyncs it and renames it into place, so
 * a put that fails midway never leaves a partial object under its key.
 */
export class FileStore implements Store {
  readonly uri: string;

  constructor(readonly root: string) {
    this.root = path.resolve(root);
    this.uri = pathToFileURL(this.root).href;
  }

  async put(key: string, body: Readable | Uint8Array, options: PutOptions = {}): Promise<StoredObject> {
    const k = this.checkKey(key);
    const target = this.dataPath(k);
    const tmpDir = path.join(this.root, TMP_DIR);
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${randomBytes(8).toString("hex")}.part`);
    const meter = new IntegrityStream({ size: options.size, sha256: options.sha256 }, `put of "${k}"`);
    let written: FileStat | null = null;
    try {
      const file = createWriteStream(tmp, { flags: "wx" });
      await pipeline(toReadable(body), meter, file);
      const handle = await open(tmp, "r+");
      try {
        await handle.sync(); // the rename must not publish bytes still only in the page cache
      } finally {
        await handle.close();
      }
      // Stat before the rename (which keeps inode and mtime): after it, a concurrent put of the
      // same key could already have replaced the file.
      written = await this.statData(tmp);
      await this.intoFolder(k, target, () =>
        rename(tmp, target).catch((error: unknown) => {
          if (isErrno(error, "EISDIR", "ENOTEMPTY", "EEXIST", "EPERM")) {
            throw new StoreError("conflict", `Cannot put "${k}": a folder of objects already has that name.`, { cause: error });
          }
          throw error;
        }),
      );
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
    const digest = meter.digest();
    await this.writeSidecar(k, digest, written);
    return { key: k, ...digest };
  }

  /**
   * The bytes go to a synced temp file first, which is then hard-linked to the key: link(2) fails
   * with EEXIST when the key exists, atomically on one file system, so exactly one of racing
   * creates (from any process sharing the folder) wins and no reader sees a partial claim.
   */
  async create(key: string, body: Uint8Array): Promise<CreateOutcome> {
    const k = this.checkKey(key);
    const target = this.dataPath(k);
    const tmpDir = path.join(this.root, TMP_DIR);
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${randomBytes(8).toString("hex")}.claim`);
    const handle = await open(tmp, "wx");
    let written: FileStat | null;
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      written = await this.statData(tmp);
      const linked = await this.intoFolder(k, target, () =>
        link(tmp, target).then(
          () => true,
          (error: unknown) => {
            if (isErrno(error, "EEXIST")) return false;
            if (isErrno(error, "EISDIR", "EPERM")) {
              throw new StoreError("conflict", `Cannot create "${k}": a folder of objects already has that name.`, { cause: error });
            }
            throw error;
          },
        ),
      );
      if (!linked) return "exists";
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    const sha256 = createHash("sha256").update(body).digest("hex");
    await this.writeSidecar(k, { size: body.byteLength, sha256 }, written).catch(() => undefined); // a cache: rehashed on demand
    return "created";
  }

  async get(key: string): Promise<Readable> {
    const k = this.checkKey(key);
    let handle;
    try {
      handle = await open(this.dataPath(k), "r");
    } catch (error) {
      if (isErrno(error, "ENOENT", "ENOTDIR", "EISDIR")) throw notFound(k);
      throw error;
    }
    // Stat the open descriptor: a concurrent put renames a new file in, but we keep reading this one.
    const s = await handle.stat({ bigint: true });
    if (!s.isFile()) {
      await handle.close();
      throw notFound(k);
    }
    const fileStat = { size: Number(s.size), ino: String(s.ino), mtimeMs: roundedMs(s.mtimeNs) };
    const sidecar = await this.readSidecar(k);
    const expected: Partial<Digest> = { size: fileStat.size };
    if (sidecar && this.matches(sidecar, fileStat)) expected.sha256 = sidecar.sha256;
    const check = new IntegrityStream(expected, `"${k}" in ${this.uri}`);
    // pipeline closes the descriptor whichever side fails or stops first; its error reaches `check`.
    pipelineCallback(handle.createReadStream(), check, () => undefined);
    return check;
  }

  async head(key: string): Promise<StoredObject | null> {
    const k = this.checkKey(key);
    const s = await this.statData(this.dataPath(k)).catch((error: unknown) => {
      if (isErrno(error, "ENOENT", "ENOTDIR")) return null;
      throw error;
    });
    if (!s) return null;
    return this.describe(k, s);
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const p = normalisePrefix(prefix);
    // Walk only the deepest folder the prefix names, then filter by the partial last segment.
    const folder = p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "";
    if (folder !== "" && RESERVED.has(folder.split("/")[0]!)) return [];
    const keys: string[] = [];
    await this.walk(folder, keys);
    const objects: StoredObject[] = [];
    for (const k of keys.filter((key) => key.startsWith(p)).sort()) {
      const s = await this.statData(this.dataPath(k)).catch(() => null);
      if (s) objects.push(await this.describe(k, s)); // deleted while listing: skip it
    }
    return objects;
  }

  async delete(key: string): Promise<void> {
    const k = this.checkKey(key);
    await unlink(this.dataPath(k)).catch((error: unknown) => {
      if (!isErrno(error, "ENOENT", "ENOTDIR")) throw error;
    });
    await unlink(this.sidecarPath(k)).catch(() => undefined);
    await this.pruneEmptyFolders(k);
  }

  private checkKey(key: string): string {
    const k = normaliseKey(key);
    const first = k.split("/")[0]!;
    if (RESERVED.has(first)) {
      throw new StoreError("invalid-key", `Invalid store key "${k}": "${first}/" is reserved for the file store's own bookkeeping.`);
    }
    return k;
  }

  private dataPath(key: string): string {
    return path.join(this.root, ...key.split("/"));
  }

  private sidecarPath(key: string): string {
    return `${path.join(this.root, META_DIR, ...key.split("/"))}.json`;
  }

  private async statData(file: string): Promise<FileStat | null> {
    const s = await stat(file, { bigint: true });
    if (!s.isFile()) return null;
    return { size: Number(s.size), ino: String(s.ino), mtimeMs: roundedMs(s.mtimeNs) };
  }

  private matches(sidecar: Sidecar, s: FileStat): boolean {
    return sidecar.size === s.size && sidecar.ino === s.ino && sidecar.mtimeMs === s.mtimeMs;
  }

  private async describe(key: string, s: FileStat): Promise<StoredObject> {
    const sidecar = await this.readSidecar(key);
    if (sidecar && this.matches(sidecar, s)) return { key, size: sidecar.size, sha256: sidecar.sha256 };
    // Stale or missing sidecar: hash the file once and remember it.
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of createReadStream(this.dataPath(key)) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    const digest = { size, sha256: hash.digest("hex") };
    const after = await this.statData(this.dataPath(key));
    if (after && after.size === digest.size && after.ino === s.ino && after.mtimeMs === s.mtimeMs) {
      await this.writeSidecar(key, digest, after).catch(() => undefined);
    }
    return { key, ...digest };
  }

  private async readSidecar(key: string): Promise<Sidecar | null> {
    try {
      const parsed = JSON.parse(await readFile(this.sidecarPath(key), "utf8")) as Partial<Sidecar>;
      if (typeof parsed.sha256 === "string" && typeof parsed.size === "number" && typeof parsed.ino === "string" && typeof parsed.mtimeMs === "string") {
        return parsed as Sidecar;
      }
      return null; // unreadable sidecar: treated as missing, the file gets rehashed
    } catch {
      return null;
    }
  }

  private async writeSidecar(key: string, digest: Digest, s: FileStat | null): Promise<void> {
    if (!s) return;
    const file = this.sidecarPath(key);
    const tmp = path.join(this.root, TMP_DIR, `${randomBytes(8).toString("hex")}.meta`);
    await mkdir(path.dirname(tmp), { recursive: true });
    const sidecar: Sidecar = { sha256: digest.sha256, size: digest.size, ino: s.ino, mtimeMs: s.mtimeMs };
    await writeFile(tmp, JSON.stringify(sidecar));
    // The sidecar's folders are pruned by deletes too: make them again when one raced us.
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await rename(tmp, file);
        return;
      } catch (error) {
        if (!isErrno(error, "ENOENT") || attempt >= 10) {
          await unlink(tmp).catch(() => undefined);
          throw error;
        }
      }
    }
  }

  /**
   * Makes the key's folders, then moves the object in with `place`. A delete elsewhere in the
   * store prunes folders it emptied, and may do so between the two steps (or inside mkdir -p):
   * that shows as ENOENT, and the folders are made again.
   */
  private async intoFolder<T>(key: string, target: string, place: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.makeParent(key, target);
        return await place();
      } catch (error) {
        if (!isErrno(error, "ENOENT") || attempt >= 10) throw error;
      }
    }
  }

  private async makeParent(key: string, target: string): Promise<void> {
    try {
      await mkdir(path.dirname(target), { recursive: true });
    } catch (error) {
      if (isErrno(error, "ENOTDIR", "EEXIST")) {
        throw new StoreError("conflict", `Cannot put "${key}": one of its folders is already an object.`, { cause: error });
      }
      throw error;
    }
  }

  private async walk(folder: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(path.join(this.root, ...folder.split("/").filter(Boolean)), { withFileTypes: true });
    } catch (error) {
      if (isErrno(error, "ENOENT", "ENOTDIR")) return;
      throw error;
    }
    for (const entry of entries) {
      if (folder === "" && RESERVED.has(entry.name)) continue;
      const key = folder === "" ? entry.name : `${folder}/${entry.name}`;
      if (!isValidKey(key)) continue; // a file dropped in by hand under a name no key can have
      // Symlinks are not followed: they could lead outside the store's root.
      if (entry.isDirectory()) await this.walk(key, out);
      else if (entry.isFile()) out.push(key);
    }
  }

  private async pruneEmptyFolders(key: string): Promise<void> {
    const segments = key.split("/").slice(0, -1);
    for (let i = segments.length; i > 0; i--) {
      const rel = segments.slice(0, i);
      for (const dir of [path.join(this.root, ...rel), path.join(this.root, META_DIR, ...rel)]) {
        await rmdir(dir).catch(() => undefined); // fails when not empty, which is the point
      }
    }
  }
}

/** Checks that a path is a folder (or absent); used when opening a store to fail early. */
export async function assertFolderOrMissing(dir: string): Promise<void> {
  const s = await lstat(dir).catch(() => null);
  if (s && !s.isDirectory()) {
    throw new StoreError("invalid-uri", `The file store's root ${dir} exists and is not a folder. Point --store at a folder.`);
  }
}
