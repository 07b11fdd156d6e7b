import { Buffer, isAscii } from "node:buffer";
import type { Finding } from "./finding.js";
import { parsePythonJson } from "./schema/parse-python-json.js";

export type ReadResult =
  /** `text` is the file's text, exactly as parsed. */
  | { ok: true; text: string; value: unknown }
  | { ok: false; text: string | null; finding: Finding };

// fatal: invalid UTF-8 throws instead of becoming U+FFFD; ignoreBOM keeps a BOM, which nbformat refuses.
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

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
  // An ASCII file (valid UTF-8 as it is) is copied byte for byte into a one-byte string, cheaper
  // than UTF-8 decoding it. Other files are decoded as they are, the strict decoder validating them
  // in the same pass: writing their non-ASCII characters as \u escapes to keep a one-byte string
  // was tried, and cost more than it saved on real notebooks at start-up.
  let text: string;
  if (isAscii(bytes)) text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  else {
    try {
      text = strictDecoder.decode(bytes);
    } catch (error) {
      const at = firstInvalidUtf8(bytes);
      // Valid UTF-8 that still failed (a text too long for a string) is not the file's fault.
      if (at === bytes.length) throw error;
      return notUtf8(bytes, at);
    }
  }
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

function notUtf8(bytes: Uint8Array, at: number): ReadResult {
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
