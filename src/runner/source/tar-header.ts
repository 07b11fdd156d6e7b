import { SourceError } from "./source-error.js";

/** One 512-byte tar header, read as ustar with GNU base-256 sizes. */
export interface TarHeader {
  /** `prefix/name` as stored (a pax `path` record replaces it). */
  name: string;
  mode: number;
  size: number;
  /** The typeflag character; `"0"` for a NUL flag (old tars). */
  type: string;
  linkname: string;
}

export const BLOCK = 512;

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString("utf8");
}

function number(block: Buffer, start: number, length: number, what: string): number {
  const field = block.subarray(start, start + length);
  if (field[0]! & 0x80) {
    // GNU base-256: big-endian, the top bit marks the encoding; a set 0x40 bit means negative.
    if (field[0]! & 0x40) throw new SourceError("corrupt-archive", `A tar header holds a negative ${what}; the archive is damaged or hostile.`);
    let value = field[0]! & 0x3f;
    for (let i = 1; i < length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw new SourceError("too-large", `A tar header declares a ${what} beyond 2^53 bytes; refused.`);
    return value;
  }
  const digits = field.toString("latin1").replace(/[\0 ]+$/u, "").replace(/^ +/u, "");
  if (digits === "") return 0;
  if (!/^[0-7]+$/u.test(digits)) throw new SourceError("corrupt-archive", `A tar header's ${what} field is not octal; the archive is damaged.`);
  return parseInt(digits, 8);
}

export function isZeroBlock(block: Buffer): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

/** Parses a header block, checking its checksum (unsigned, as POSIX says, or signed, as old tars wrote). */
export function parseTarHeader(block: Buffer): TarHeader {
  const stored = number(block, 148, 8, "checksum");
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (stored !== unsigned && stored !== signed) {
    throw new SourceError("corrupt-archive", "A tar header's checksum does not match; the source archive is damaged. Nothing of it was used.");
  }
  const name = text(block, 0, 100);
  const magic = block.subarray(257, 263).toString("latin1");
  const prefix = magic.startsWith("ustar") ? text(block, 345, 155) : "";
  const flag = String.fromCharCode(block[156]!);
  return {
    name: prefix ? `${prefix}/${name}` : name,
    mode: number(block, 100, 8, "mode"),
    size: number(block, 124, 12, "size"),
    type: flag === "\0" ? "0" : flag,
    linkname: text(block, 157, 100),
  };
}

/** Parses pax extended header records (`"<length> <key>=<value>\n"`, the length counting the whole record). */
export function parsePaxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(data.subarray(at, space).toString("latin1"));
    if (!Number.isInteger(length) || length <= space - at + 1 || at + length > data.length) {
      throw new SourceError("corrupt-archive", "A pax header record has a bad length; the source archive is damaged.");
    }
    const record = data.subarray(space + 1, at + length - 1).toString("utf8");
    const equals = record.indexOf("=");
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return records;
}
