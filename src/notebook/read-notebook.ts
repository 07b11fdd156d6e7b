import { Buffer, isAscii, isUtf8 } from "node:buffer";
import type { Finding } from "./finding.js";
import { parsePythonJson } from "./schema/parse-python-json.js";

/**
 * Where the parsed `text` spells non-ASCII characters of the file as `\uXXXX` escapes: a run of
 * escapes starts at each offset `at[k]` of `text` (increasing), and up to the end of that run
 * the escapes make `text` `extra[k]` UTF-16 code units longer than the file's own text.
 */
export interface TextEscapes {
  at: number[];
  /** Cumulative, so that a column needs one lookup. */
  extra: number[];
}

export type ReadResult =
  /**
   * `text` is what was parsed: the file's text, except that with `escapes` its non-ASCII
   * characters are written as `\u` escapes inside their strings (the same JSON value, and a
   * one-byte string that decodes and parses several times faster). Lines are unchanged.
   */
  | { ok: true; text: string; value: unknown; escapes?: TextEscapes }
  | { ok: false; text: string | null; finding: Finding };

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Decodes and parses the raw bytes of an `.ipynb` file the way nbformat reads them: strict UTF-8,
 * then Python's `json.loads`, which also takes `NaN`/`Infinity` and rejects a BOM.
 *
 * Never throws. A file nbformat cannot read gives an `invalid-json` error finding with the line
 * and column of the problem when known; `text` is null when the bytes are not UTF-8.
 */
export function readNotebook(bytes: Uint8Array): ReadResult {
  if (bytes.length === 0) {
    return unreadable(null, "The file is empty, so it is not a notebook: delete it or save a notebook over it.");
  }
  // ASCII is valid UTF-8, and most notebooks are ASCII: one native pass instead of two.
  const ascii = isAscii(bytes);
  if (!ascii && !isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    const where = byteLineColumn(bytes, at);
    return {
      ok: false,
      text: null,
      finding: {
        rule: "invalid-json",
        severity: "error",
        message:
          `The file is not valid UTF-8 (bad byte at offset ${at}); it may be binary or saved in another ` +
          "encoding. Notebooks must be UTF-8: re-save the file as UTF-8.",
        line: where.line,
        column: where.column,
      },
    };
  }
  const escaped = escapeNonAscii(bytes, ascii);
  if (escaped !== null) {
    try {
      const value: unknown = JSON.parse(escaped.text);
      return escaped.escapes === null ? { ok: true, text: escaped.text, value } : { ok: true, text: escaped.text, value, escapes: escaped.escapes };
    } catch {
      // The escapes change no verdict, so the file is not strict JSON either: the path below
      // decodes it for real, to try Python's json and to point at the problem.
    }
  }
  const text = decoder.decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) {
    return unreadable(
      text,
      "The file starts with a UTF-8 byte order mark (BOM), which nbformat refuses to read: save it as UTF-8 without a BOM.",
      1,
      1,
    );
  }
  try {
    return { ok: true, text, value: JSON.parse(text) };
  } catch {
    // JSON.parse is strict JSON; Python's json.loads (nbformat's reader) also takes NaN and
    // Infinity, and the slow path reports where the text is broken.
  }
  const parsed = parsePythonJson(text);
  if (parsed.ok) return { ok: true, text, value: parsed.value };
  const { line, column } = textLineColumn(text, parsed.offset);
  const binary = text.includes("\u0000") ? " It looks like a binary file." : "";
  return unreadable(
    text,
    `The file is not valid JSON: ${parsed.message} (line ${line}, column ${column}).${binary} ` +
      "Fix the JSON there, or restore the notebook from version control.",
    line,
    column,
  );
}

function unreadable(text: string | null, message: string, line?: number, column?: number): ReadResult {
  const finding: Finding = { rule: "invalid-json", severity: "error", message };
  if (line !== undefined) finding.line = line;
  if (column !== undefined) finding.column = column;
  return { ok: false, text, finding };
}

/** 1-based line and column (in UTF-16 code units) of a string offset. */
function textLineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  let k = text.indexOf("\n");
  while (k !== -1 && k < offset) {
    line++;
    lineStart = k + 1;
    k = text.indexOf("\n", lineStart);
  }
  return { line, column: offset - lineStart + 1 };
}

function byteLineColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset; k++) {
    if (bytes[k] === 0x0a) {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Offset of the first byte that breaks strict UTF-8 (no overlongs, no surrogates, max U+10FFFF). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let k = 0;
  while (k < n) {
    const b = bytes[k] as number;
    if (b < 0x80) {
      k++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return k;
    for (let m = 1; m <= need; m++) {
      const c = bytes[k + m];
      if (c === undefined) return k;
      if (m === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return k;
    }
    k += need + 1;
  }
  return n;
}

/**
 * Real notebooks keep their non-ASCII bytes in a few places, so the search checks large blocks
 * natively, then the small chunks of a block that has some, and only such chunks byte by byte.
 */
const BLOCK = 65536;
const CHUNK = 1024;
/** A text with more stretches of non-ASCII characters (Chinese prose, say) is decoded as it is. */
const MAX_RUNS = 16384;

/**
 * The text of valid UTF-8 `bytes` with every non-ASCII character written as a JSON `\uXXXX`
 * escape, decoded as Latin-1 (a copy, where UTF-8 decoding to a two-byte string costs several
 * times more). Outside a string such an escape breaks the JSON just as the raw character does,
 * and inside one it is the same character, so `JSON.parse` gives the same verdict and value.
 * The one exception is a character right after a backslash (`"\é"`, invalid JSON, would become
 * a valid `"\\u00e9"`): then this returns null and the caller decodes the file as it is, as it
 * does for a text with so much non-ASCII that escaping it would cost more than it saves.
 */
function escapeNonAscii(bytes: Uint8Array, ascii: boolean): { text: string; escapes: TextEscapes | null } | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  if (ascii) return { text: buffer.toString("latin1"), escapes: null };
  const escapes: TextEscapes = { at: [], extra: [] };
  let extra = 0;
  let text = "";
  // Start of the ASCII stretch not yet copied into `text`.
  let from = 0;
  for (let block = 0; block < n; block += BLOCK) {
    const blockEnd = Math.min(n, block + BLOCK);
    if (blockEnd <= from || isAscii(bytes.subarray(Math.max(block, from), blockEnd))) continue;
    for (let chunk = block; chunk < blockEnd; chunk += CHUNK) {
      const end = Math.min(blockEnd, chunk + CHUNK);
      if (end <= from || isAscii(bytes.subarray(Math.max(chunk, from), end))) continue;
      for (let k = Math.max(chunk, from); k < end; ) {
        if ((bytes[k] as number) < 0x80) {
          k++;
          continue;
        }
        if ((k > 0 && bytes[k - 1] === 0x5c) || escapes.at.length >= MAX_RUNS) return null;
        text += buffer.toString("latin1", from, k);
        let run = "";
        let units = 0;
        while (k < n && (bytes[k] as number) >= 0x80) {
          const b = bytes[k] as number;
          // The bytes are valid UTF-8, so each lead byte says how many continuation bytes follow.
          let codePoint: number;
          if (b < 0xe0) {
            codePoint = ((b & 0x1f) << 6) | ((bytes[k + 1] as number) & 0x3f);
            k += 2;
          } else if (b < 0xf0) {
            codePoint = ((b & 0x0f) << 12) | (((bytes[k + 1] as number) & 0x3f) << 6) | ((bytes[k + 2] as number) & 0x3f);
            k += 3;
          } else {
            codePoint =
              ((b & 0x07) << 18) | (((bytes[k + 1] as number) & 0x3f) << 12) | (((bytes[k + 2] as number) & 0x3f) << 6) | ((bytes[k + 3] as number) & 0x3f);
            k += 4;
          }
          if (codePoint < 0x10000) {
            run += unicodeEscape(codePoint);
            units += 1;
          } else {
            run += unicodeEscape(0xd7c0 + (codePoint >> 10)) + unicodeEscape(0xdc00 | (codePoint & 0x3ff));
            units += 2;
          }
        }
        escapes.at.push(text.length);
        extra += run.length - units;
        escapes.extra.push(extra);
        text += run;
        from = k;
      }
    }
  }
  text += buffer.toString("latin1", from, n);
  return { text, escapes };
}

function unicodeEscape(unit: number): string {
  return `\\u${unit.toString(16).padStart(4, "0")}`;
}
