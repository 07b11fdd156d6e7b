import { JsonNumber } from "../schema/json-number.js";
import { pythonFloatRepr } from "./python-float-repr.js";

/** A value that nbformat's writer could not put into a file the way it reads back. */
export class NotWritableError extends Error {}

/**
 * Serializes a value as Python's `json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False,
 * separators=(",", ": "))` does, which is how nbformat 4 writes a notebook. Numbers must be
 * {@link JsonNumber}s (their Python type and digits are kept); a string with a lone surrogate is refused,
 * because Python could only write it by failing to encode the file as UTF-8.
 */
export function dumpJson(value: unknown): string {
  const out: string[] = [];
  write(value, "", out);
  return out.join("");
}

function write(value: unknown, indent: string, out: string[]): void {
  if (value === null) out.push("null");
  else if (value === true) out.push("true");
  else if (value === false) out.push("false");
  else if (typeof value === "string") out.push(quote(value));
  else if (value instanceof JsonNumber) out.push(formatNumber(value));
  else if (Array.isArray(value)) {
    if (value.length === 0) return void out.push("[]");
    const inner = `${indent} `;
    out.push("[");
    value.forEach((item, i) => {
      out.push(i === 0 ? `\n${inner}` : `,\n${inner}`);
      write(item, inner, out);
    });
    out.push(`\n${indent}]`);
  } else if (typeof value === "object") {
    const keys = Object.keys(value).sort(compareCodePoints);
    if (keys.length === 0) return void out.push("{}");
    const inner = `${indent} `;
    out.push("{");
    keys.forEach((key, i) => {
      out.push(i === 0 ? `\n${inner}` : `,\n${inner}`, quote(key), ": ");
      write((value as Record<string, unknown>)[key], inner, out);
    });
    out.push(`\n${indent}}`);
  } else {
    throw new NotWritableError(`a ${typeof value} has no JSON form`);
  }
}

const LONE_SURROGATE = /\p{Surrogate}/u;

/** Python escapes exactly what JSON.stringify does (", \, control characters, lowercase hex) but never a lone surrogate. */
function quote(text: string): string {
  // In a /u regex, a paired surrogate is one code point, so only a lone one matches.
  if (LONE_SURROGATE.test(text)) throw new NotWritableError("a string holds a lone UTF-16 surrogate, which cannot be saved as UTF-8");
  return JSON.stringify(text);
}

/** An int as Python prints it (`-0` is 0); a float in Python's repr. */
export function formatNumber(number: JsonNumber): string {
  if (!number.isFloat) return number.text === "-0" ? "0" : number.text;
  return pythonFloatRepr(number.text === "NaN" ? NaN : Number(number.text));
}

/** Python sorts keys by code point; JS's default sort compares UTF-16 units, which differs past U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (an astral character) outranks every BMP unit from U+E000 up, unlike in UTF-16 order.
    const surrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdfff;
    if (surrogate(x) !== surrogate(y)) return surrogate(x) ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
