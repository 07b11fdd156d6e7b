import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

/** One entry of a test tarball. `size` overrides the declared size (hostile archives); `pax` adds records. */
export interface TarEntry {
  path: string;
  type?: "file" | "dir" | "symlink" | "hardlink" | "char-device" | "fifo";
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  /** Declared size, written as a pax `size` record; the data written is still `content`. */
  declaredSize?: number;
  /** Declared size in the GNU base-256 form of the ustar size field. */
  base256Size?: number;
}

export interface TarballOptions {
  /** The commit id `git archive` writes as the pax global header's comment; left out when null. */
  comment: string | null;
  entries: TarEntry[];
  /** Leave out the two zero blocks that end an archive. */
  omitEnd?: boolean;
}

const TYPE_FLAGS: Record<NonNullable<TarEntry["type"]>, string> = { file: "0", dir: "5", symlink: "2", hardlink: "1", "char-device": "3", fifo: "6" };

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, "0")}\0`;
}

function header(name: string, type: string, size: number, options: { mode?: number; linkname?: string; base256Size?: number } = {}): Buffer {
  const block = Buffer.alloc(512);
  block.write(name.slice(0, 100), 0, "utf8");
  block.write(octal(options.mode ?? (type === "5" ? 0o775 : 0o664), 8), 100, "latin1");
  block.write(octal(0, 8), 108, "latin1");
  block.write(octal(0, 8), 116, "latin1");
  if (options.base256Size !== undefined) {
    let value = options.base256Size;
    for (let i = 11; i >= 1; i--) {
      block[124 + i] = value % 256;
      value = Math.floor(value / 256);
    }
    block[124] = 0x80;
  } else {
    block.write(octal(size, 12), 124, "latin1");
  }
  block.write(octal(1_700_000_000, 12), 136, "latin1");
  block.write(type, 156, "latin1");
  if (options.linkname) block.write(options.linkname.slice(0, 100), 157, "utf8");
  block.write("ustar\0", 257, "latin1");
  block.write("00", 263, "latin1");
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return block;
}

function padded(data: Buffer): Buffer {
  const rest = (512 - (data.length % 512)) % 512;
  return Buffer.concat([data, Buffer.alloc(rest)]);
}

function paxData(records: Record<string, string>): Buffer {
  const lines = Object.entries(records).map(([key, value]) => {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body) + 1;
    while (Buffer.byteLength(`${length}${body}`) !== length) length = Buffer.byteLength(body) + String(length).length;
    return `${length}${body}`;
  });
  return Buffer.from(lines.join(""), "utf8");
}

/**
 * Writes a gzip'd tar as GitHub's tarball endpoint serves it (`git archive` output): a pax
 * global header whose comment is the commit id, then ustar entries, with pax `path`/`linkpath`
 * records for long names. Test data only; hostile shapes are opt-in per entry.
 */
export function makeTarball(options: TarballOptions): Buffer {
  const parts: Buffer[] = [];
  if (options.comment !== null) {
    const data = paxData({ comment: options.comment });
    parts.push(header("pax_global_header", "g", data.length), padded(data));
  }
  for (const entry of options.entries) {
    const type = TYPE_FLAGS[entry.type ?? "file"];
    const content = entry.content === undefined ? Buffer.alloc(0) : Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content, "utf8");
    const records: Record<string, string> = {};
    if (Buffer.byteLength(entry.path) > 100) records.path = entry.path;
    if (entry.linkname && Buffer.byteLength(entry.linkname) > 100) records.linkpath = entry.linkname;
    if (entry.declaredSize !== undefined) records.size = String(entry.declaredSize);
    if (Object.keys(records).length > 0) {
      const data = paxData(records);
      parts.push(header("PaxHeader", "x", data.length), padded(data));
    }
    parts.push(header(entry.path, type, content.length, { mode: entry.mode, linkname: entry.linkname, base256Size: entry.base256Size }), padded(content));
  }
  if (!options.omitEnd) parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

/**
 * The entries `git archive --prefix=<owner>-<repo>-<sha7>/` makes of a folder: the top folder,
 * then every folder and file beneath it, in name order. `extra` entries are appended under the
 * same top folder.
 */
export function archiveEntries(folder: string, top: string, extra: TarEntry[] = []): TarEntry[] {
  const entries: TarEntry[] = [{ path: `${top}/`, type: "dir" }];
  const walk = (dir: string, relative: string) => {
    for (const item of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const inner = relative ? `${relative}/${item.name}` : item.name;
      if (item.isDirectory()) {
        entries.push({ path: `${top}/${inner}/`, type: "dir" });
        walk(path.join(dir, item.name), inner);
      } else {
        entries.push({ path: `${top}/${inner}`, content: readFileSync(path.join(dir, item.name)) });
      }
    }
  };
  walk(folder, "");
  return [...entries, ...extra.map((entry) => ({ ...entry, path: `${top}/${entry.path}` }))];
}
