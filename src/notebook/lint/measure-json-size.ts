/**
 * The size in bytes of `value` serialized as compact JSON in UTF-8 (what `JSON.stringify` would
 * produce, encoded). Iterative, so deeply nested values cannot overflow the stack.
 */
export function measureJsonSize(value: unknown): number {
  return walk(value, true);
}

/**
 * A cheap lower bound of {@link measureJsonSize}: string lengths without looking at their
 * characters. A UTF-16 code unit never takes fewer bytes than one, and escapes only add.
 */
export function estimateJsonSize(value: unknown): number {
  return walk(value, false);
}

/**
 * The serialized size of `value` when it is over `limit` bytes, else null. Exact where it matters, cheap elsewhere:
 * a code unit takes at most 6 bytes (`\u001f`), so small values skip the exact count.
 */
export function exceedsJsonSize(value: unknown, limit: number): number | null {
  const estimate = estimateJsonSize(value);
  if (estimate * 6 <= limit) return null;
  const size = measureJsonSize(value);
  return size > limit ? size : null;
}

/**
 * Sums the serialized sizes of every value under `root`: strings exactly or by their length alone.
 * It runs once per output, unoptimized, so it indexes arrays rather than allocate an iterator
 * result per item.
 */
function walk(root: unknown, exact: boolean): number {
  let total = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === "string") total += exact ? stringBytes(value) : value.length + 2;
    else if (typeof value === "number") total += Number.isFinite(value) ? String(value).length : 4;
    else if (typeof value === "boolean") total += value ? 4 : 5;
    else if (value === null) total += 4;
    else if (Array.isArray(value)) {
      total += 2 + Math.max(0, value.length - 1);
      for (let k = 0; k < value.length; k++) {
        const item: unknown = value[k];
        // Lines of text, most items, are measured here rather than pushed and popped.
        if (typeof item === "string") total += exact ? stringBytes(item) : item.length + 2;
        else stack.push(item === undefined ? null : item);
      }
    } else if (typeof value === "object") {
      const keys = Object.keys(value);
      total += 2 + Math.max(0, keys.length - 1);
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k] as string;
        total += (exact ? stringBytes(key) : key.length + 2) + 1;
        stack.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return total;
}

// Everything but printable ASCII other than `"` and `\`: the characters that take more or less than one byte.
const SPECIAL = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

/** Characters JSON writes as a two-character escape; the other controls take six (`\u001b`). */
const SHORT_ESCAPES = [0x22, 0x5c, 0x08, 0x0c, 0x0a, 0x0d, 0x09];
const ESCAPED = Array.from({ length: 0x20 }, (_, c) => c).concat(0x22, 0x5c).map((c) => ({
  char: String.fromCharCode(c),
  extra: SHORT_ESCAPES.includes(c) ? 1 : 5,
}));

// Node 20 has String.prototype.isWellFormed (ES2024); the project's lib setting stops at ES2023.
type WellFormedString = string & { isWellFormed(): boolean };

/**
 * Bytes of a string as a JSON literal in UTF-8. Long strings (base64 images, big logs) are
 * measured with native primitives: the UTF-8 length, then one `indexOf` pass per escaped
 * character, which together run several times faster than any regex over the same text.
 */
function stringBytes(s: string): number {
  if (s.length < 4096 || !(s as WellFormedString).isWellFormed()) return stringBytesByScan(s);
  let bytes = Buffer.byteLength(s, "utf8") + 2;
  for (const { char, extra } of ESCAPED) {
    for (let i = s.indexOf(char); i >= 0; i = s.indexOf(char, i + 1)) bytes += extra;
  }
  return bytes;
}

/** The same count, character by character; exact for lone surrogates, which JSON escapes. */
function stringBytesByScan(s: string): number {
  let bytes = s.length + 2;
  SPECIAL.lastIndex = 0;
  for (let match = SPECIAL.exec(s); match; match = SPECIAL.exec(s)) {
    const i = match.index;
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09) bytes += 1;
    else if (c < 0x20) bytes += 5;
    else if (c < 0x80) continue;
    else if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: two code units, four bytes.
      bytes += 2;
      SPECIAL.lastIndex = i + 2;
    } else if (c >= 0xd800 && c <= 0xdfff) bytes += 5;
    else bytes += 2;
  }
  return bytes;
}
