import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { ByteReader } from "./byte-reader.js";
import { resolveInTree } from "./resolve-in-tree.js";
import { SourceError } from "./source-error.js";
import { BLOCK, isZeroBlock, parsePaxRecords, parseTarHeader } from "./tar-header.js";

/** Caps against decompression bombs: what a declared size or an entry count may reach before anything is read. */
export interface UnpackLimits {
  /** Total bytes of the unpacked entries. */
  maxBytes: number;
  /** Entries in the archive (files, folders, links). */
  maxEntries: number;
}

export const DEFAULT_UNPACK_LIMITS: UnpackLimits = { maxBytes: 2 * 1024 ** 3, maxEntries: 200_000 };

export interface UnpackOptions {
  /** A `.tar.gz` as GitHub's tarball endpoint serves it (made by `git archive`). */
  archive: string;
  /** The folder that will hold the tree; replaced only once the whole archive has unpacked. */
  dest: string;
  /** The full commit SHA the archive must carry in its pax global header. */
  commit: string;
  limits: UnpackLimits;
}

export interface UnpackedTree {
  root: string;
  /** The archive's top folder, `<owner>-<repo>-<sha…>`. */
  topFolder: string;
  files: number;
  bytes: number;
  /** Repository paths of files that are Git LFS pointers, not content (first 1,000). */
  lfsPointers: string[];
  lfsPointerCount: number;
}

const LFS_SIGNATURE = Buffer.from("version https://git-lfs.github.com/spec/v1");
// LFS pointer files are about 130 bytes; the spec caps them below 1024.
const LFS_POINTER_MAX = 1024;
const LFS_LISTED = 1_000;
// pax and GNU long-name headers hold a few records; anything bigger is not a real archive.
const META_MAX = 1024 * 1024;
const META_TYPES = new Set(["x", "g", "L", "K"]);

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The entry's path as safe segments, or a refusal: absolute paths, `..` and NUL bytes never reach the disk. */
function safeSegments(name: string, what: string): string[] {
  if (name.includes("\0")) throw unsafe(`${what} ${JSON.stringify(name)} holds a NUL byte`);
  if (name.startsWith("/")) throw unsafe(`${what} ${JSON.stringify(name)} is an absolute path`);
  const segments = name.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) throw unsafe(`${what} ${JSON.stringify(name)} climbs out of the tree with ".."`);
  if (segments.length === 0) throw unsafe(`${what} ${JSON.stringify(name)} is empty`);
  return segments;
}

function unsafe(what: string): SourceError {
  return new SourceError("unsafe-entry", `The source archive was refused: ${what}. GitHub's archives never hold such entries; nothing of it was used.`);
}

function tooLarge(what: string): SourceError {
  return new SourceError("too-large", `The source archive was refused: ${what}. Raise the source size cap if the repository really is this big, or keep large data out of the repository (Git LFS, a bucket).`);
}

/**
 * Unpacks a repository tarball into `dest`, verifying first that it is the archive of `commit`:
 * the pax global header's `comment` (which `git archive` sets to the commit id) must equal it, and
 * every entry must sit under one top folder ending in a prefix of it. Refuses, before writing the
 * offending entry: paths with `..` or absolute, links that are absolute or resolve out of the tree,
 * device files and FIFOs, sizes and counts over `limits`. It unpacks into a sibling temporary
 * folder and renames it to `dest` only when complete, so a refused or broken archive leaves no
 * half-unpacked tree behind.
 */
export async function unpackArchive(options: UnpackOptions): Promise<UnpackedTree> {
  await mkdir(path.dirname(options.dest), { recursive: true });
  const staging = `${options.dest}.partial-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(staging);
  const input = createReadStream(options.archive);
  const gunzip = createGunzip();
  input.once("error", (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  try {
    const summary = await extract(new ByteReader(gunzip[Symbol.asyncIterator]()), staging, options);
    await rm(options.dest, { recursive: true, force: true });
    await rename(staging, options.dest);
    return { ...summary, root: options.dest };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("Z_")) {
      throw new SourceError("corrupt-archive", `The source archive is not a valid gzip stream (${(error as Error).message}); it was damaged in transit or is not a tarball. Nothing of it was used.`);
    }
    // A file and a folder of the same name: impossible in a git tree, so the archive is not one.
    if (code === "EEXIST" || code === "ENOTDIR") throw unsafe("two entries collide (a file and a folder of the same name)");
    throw error;
  } finally {
    input.destroy();
    gunzip.destroy();
    await rm(staging, { recursive: true, force: true });
  }
}

async function extract(reader: ByteReader, staging: string, options: UnpackOptions): Promise<Omit<UnpackedTree, "root">> {
  const { limits, commit } = options;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  let archiveCommit: string | null = null;
  let top: string | null = null;
  let entries = 0;
  let bytes = 0;
  let files = 0;
  const links = new Map<string, string>();
  const regular = new Set<string>();
  const placed: string[] = [];
  const lfsPointers: string[] = [];
  let lfsPointerCount = 0;
  // Folders made so far: one mkdir per folder, not one per file.
  const made = new Set<string>([staging]);
  const makeFolder = async (folder: string) => {
    if (made.has(folder)) return;
    await mkdir(folder, { recursive: true, mode: 0o755 });
    made.add(folder);
  };

  for (;;) {
    const block = await reader.read(BLOCK);
    if (isZeroBlock(block)) break;
    const header = parseTarHeader(block);

    if (META_TYPES.has(header.type)) {
      if (header.size > META_MAX) throw tooLarge(`a ${header.type} header of ${header.size} bytes (at most ${META_MAX})`);
      const data = await reader.read(header.size);
      await reader.skip(padding(header.size));
      if (header.type === "x") pax = { ...pax, ...parsePaxRecords(data) };
      else if (header.type === "g") {
        const global = parsePaxRecords(data);
        if (global.comment !== undefined) archiveCommit = global.comment.trim();
      } else {
        const value = data.toString("utf8").replace(/\0+$/u, "");
        if (header.type === "L") longName = value;
        else longLink = value;
      }
      continue;
    }

    const name = pax.path ?? longName ?? header.name;
    const linkname = pax.linkpath ?? longLink ?? header.linkname;
    let size = header.size;
    if (pax.size !== undefined) {
      if (!/^\d+$/u.test(pax.size)) throw new SourceError("corrupt-archive", `A pax size record (${JSON.stringify(pax.size.slice(0, 40))}) is not a number; the source archive is damaged.`);
      size = Number(pax.size);
    }
    pax = {};
    longName = undefined;
    longLink = undefined;

    // The archive must prove which commit it is before any of it is written.
    if (archiveCommit === null) {
      throw new SourceError("wrong-commit", `The source archive carries no commit id (no pax global header comment), so it cannot be verified as commit ${commit}. Nothing of it was used.`);
    }
    if (archiveCommit !== commit) {
      throw new SourceError("wrong-commit", `The source archive is for commit ${archiveCommit.slice(0, 40)}, not ${commit}; nothing of it was used. The branch may have been force-pushed: comment /train again to run the current head.`);
    }
    if (++entries > limits.maxEntries) throw tooLarge(`more than ${limits.maxEntries} entries`);
    if (size > limits.maxBytes - bytes) {
      throw tooLarge(`${JSON.stringify(name)} declares ${size} bytes, which takes the total over the ${limits.maxBytes}-byte cap`);
    }
    bytes += size;

    const segments = safeSegments(name, "entry");
    if (top === null) {
      top = segments[0]!;
      const suffix = /-([0-9a-f]{7,40})$/u.exec(top)?.[1];
      if (!suffix || !commit.startsWith(suffix)) {
        throw new SourceError("wrong-commit", `The source archive's top folder ${JSON.stringify(top)} does not name commit ${commit.slice(0, 7)}; nothing of it was used.`);
      }
    }
    if (segments[0] !== top) throw unsafe(`entry ${JSON.stringify(name)} lies outside the archive's top folder ${JSON.stringify(top)}`);
    const relative = segments.slice(1);
    const key = relative.join("/");
    const target = path.join(staging, ...relative);

    switch (header.type) {
      case "5":
        if (relative.length > 0) await makeFolder(target);
        await reader.skip(size + padding(size));
        if (relative.length > 0) placed.push(key);
        break;
      case "0":
      case "7": {
        if (relative.length === 0) throw unsafe(`the top folder ${JSON.stringify(top)} is stored as a file`);
        await makeFolder(path.dirname(target));
        // Only the executable bit survives: no setuid, no world-writable files.
        const mode = header.mode & 0o111 ? 0o755 : 0o644;
        if (size <= LFS_POINTER_MAX) {
          const data = await reader.read(size);
          if (data.subarray(0, LFS_SIGNATURE.length).equals(LFS_SIGNATURE)) {
            lfsPointerCount++;
            if (lfsPointers.length < LFS_LISTED) lfsPointers.push(key);
          }
          await writeFile(target, data, { flag: "wx", mode }).catch((error: unknown) => rethrowExisting(error, key));
        } else {
          await pipeline(Readable.from(reader.chunks(size)), createWriteStream(target, { flags: "wx", mode })).catch((error: unknown) => rethrowExisting(error, key));
        }
        await reader.skip(padding(size));
        regular.add(key);
        placed.push(key);
        files++;
        break;
      }
      case "2":
        if (relative.length === 0) throw unsafe(`the top folder ${JSON.stringify(top)} is stored as a link`);
        if (linkname.startsWith("/")) throw unsafe(`symlink ${JSON.stringify(key)} points to the absolute path ${JSON.stringify(linkname)}`);
        if (linkname.includes("\0") || linkname === "") throw unsafe(`symlink ${JSON.stringify(key)} has an empty or NUL-holding target`);
        if (links.has(key) || regular.has(key)) throw unsafe(`entry ${JSON.stringify(key)} appears twice`);
        // Links are made last, once every one is known, so no entry is ever written through one.
        links.set(key, linkname);
        await reader.skip(size + padding(size));
        break;
      case "1": {
        const linkSegments = safeSegments(linkname, `hard link ${JSON.stringify(key)} target`);
        const source = linkSegments.slice(1).join("/");
        if (linkSegments[0] !== top || !regular.has(source)) {
          throw unsafe(`hard link ${JSON.stringify(key)} points to ${JSON.stringify(linkname)}, which is not a file unpacked earlier from this tree`);
        }
        await makeFolder(path.dirname(target));
        // A copy, not a link: the tree never shares an inode with anything.
        await copyFile(path.join(staging, ...source.split("/")), target).catch((error: unknown) => rethrowExisting(error, key));
        await reader.skip(size + padding(size));
        regular.add(key);
        placed.push(key);
        files++;
        break;
      }
      default: {
        const kinds: Record<string, string> = { "3": "a character device", "4": "a block device", "6": "a FIFO" };
        throw unsafe(`entry ${JSON.stringify(key || name)} is ${kinds[header.type] ?? `of unknown type ${JSON.stringify(header.type)}`}`);
      }
    }
  }
  if (top === null) {
    if (archiveCommit !== null && archiveCommit !== commit) {
      throw new SourceError("wrong-commit", `The source archive is for commit ${archiveCommit.slice(0, 40)}, not ${commit}; nothing of it was used.`);
    }
    throw new SourceError("corrupt-archive", "The source archive holds no files; GitHub served an empty tarball. Nothing was used.");
  }

  for (const key of [...placed, ...links.keys()]) {
    const segments = key.split("/");
    for (let depth = 1; depth < segments.length; depth++) {
      const parent = segments.slice(0, depth).join("/");
      if (links.has(parent)) throw unsafe(`entry ${JSON.stringify(key)} lies under the symlink ${JSON.stringify(parent)}`);
    }
  }
  for (const [key, linkname] of links) {
    const segments = key.split("/");
    if (resolveInTree(segments.slice(0, -1), linkname, links) === null) {
      throw unsafe(`symlink ${JSON.stringify(key)} -> ${JSON.stringify(linkname)} resolves outside the repository`);
    }
    const target = path.join(staging, ...segments);
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await symlink(linkname, target).catch((error: unknown) => rethrowExisting(error, key));
  }
  return { topFolder: top, files, bytes, lfsPointers, lfsPointerCount };
}

function rethrowExisting(error: unknown, key: string): never {
  if ((error as { code?: string }).code === "EEXIST") throw unsafe(`entry ${JSON.stringify(key)} appears twice or collides with a folder`);
  throw error;
}
