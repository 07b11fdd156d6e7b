import { JsonNumber } from "./json-number.js";
import { PyFloat } from "./py-float.js";

export type PythonJsonResult =
  | { ok: true; value: unknown }
  | { ok: false; message: string; offset: number };

export interface PythonJsonOptions {
  /**
   * Return float literals whose value could pass for an integer (`1.0`, `2e0`, `1e999`, `Infinity`)
   * as {@link PyFloat} boxes, so that every plain number left is a Python int.
   */
  boxIntegralFloats?: boolean;
  /** Return every number, `NaN` and `Infinity` included, as a {@link JsonNumber} holding its source text. */
  rawNumbers?: boolean;
  /** Fail on a key repeated in one object, where Python would silently keep the last value. */
  rejectDuplicateKeys?: boolean;
}

/** CPython refuses to convert integer literals longer than this (sys.get_int_max_str_digits()). */
const MAX_INT_DIGITS = 4300;

interface Frame {
  array: unknown[] | null;
  object: Record<string, unknown> | null;
  key: string;
}

/**
 * Parses JSON text the way Python's `json.loads(str)` does, which is what nbformat uses:
 * it also accepts `NaN`, `Infinity` and `-Infinity`, rejects a leading BOM and integer literals
 * longer than 4300 digits. Iterative, so any nesting depth parses without growing the call stack.
 */
export function parsePythonJson(text: string, options: PythonJsonOptions = {}): PythonJsonResult {
  const box = options.boxIntegralFloats === true;
  const raw = options.rawNumbers === true;
  const unique = options.rejectDuplicateKeys === true;
  const n = text.length;
  let failure: { message: string; offset: number } | null = null;
  const fail = (message: string, offset: number): null => {
    failure = { message, offset };
    return null;
  };

  const ws = (at: number): number => {
    let k = at;
    for (;;) {
      const c = text.charCodeAt(k);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) k++;
      else return k;
    }
  };

  let end = 0; // where the last scalar ended

  const parseString = (start: number): string | null => {
    // start is at the opening quote
    let k = start + 1;
    let out = "";
    let chunk = k;
    for (;;) {
      if (k >= n) return fail("Unterminated string starting at", start);
      const c = text.charCodeAt(k);
      if (c === 0x22) {
        out += text.slice(chunk, k);
        end = k + 1;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(chunk, k);
        const e = text.charCodeAt(k + 1);
        switch (e) {
          case 0x22: out += '"'; break;
          case 0x5c: out += "\\"; break;
          case 0x2f: out += "/"; break;
          case 0x62: out += "\b"; break;
          case 0x66: out += "\f"; break;
          case 0x6e: out += "\n"; break;
          case 0x72: out += "\r"; break;
          case 0x74: out += "\t"; break;
          case 0x75: {
            const hex = text.slice(k + 2, k + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) return fail("Invalid \\uXXXX escape", k);
            out += String.fromCharCode(parseInt(hex, 16));
            k += 4;
            break;
          }
          default:
            if (k + 1 >= n) return fail("Unterminated string starting at", start);
            return fail("Invalid \\escape", k);
        }
        k += 2;
        chunk = k;
        continue;
      }
      if (c < 0x20) return fail("Invalid control character at", k);
      k++;
    }
  };

  const parseNumber = (start: number): unknown => {
    let k = start;
    if (text.charCodeAt(k) === 0x2d) k++;
    const intStart = k;
    const first = text.charCodeAt(k);
    if (first === 0x30) k++;
    else if (first >= 0x31 && first <= 0x39) {
      while (isDigit(text.charCodeAt(k))) k++;
    } else return fail("Expecting value", start);
    const intEnd = k;
    let isFloat = false;
    if (text.charCodeAt(k) === 0x2e && isDigit(text.charCodeAt(k + 1))) {
      k += 2;
      while (isDigit(text.charCodeAt(k))) k++;
      isFloat = true;
    }
    const e = text.charCodeAt(k);
    if (e === 0x65 || e === 0x45) {
      let m = k + 1;
      const sign = text.charCodeAt(m);
      if (sign === 0x2b || sign === 0x2d) m++;
      if (isDigit(text.charCodeAt(m))) {
        while (isDigit(text.charCodeAt(m))) m++;
        k = m;
        isFloat = true;
      }
    }
    if (!isFloat && intEnd - intStart > MAX_INT_DIGITS) {
      return fail(`Integer literal has more than ${MAX_INT_DIGITS} digits, which Python refuses to convert`, start);
    }
    end = k;
    if (raw) return new JsonNumber(text.slice(start, k), isFloat);
    const value = Number(text.slice(start, k));
    return box && isFloat && (Number.isInteger(value) || !Number.isFinite(value)) ? new PyFloat(value) : value;
  };

  /** Parses a scalar at `at`, or returns undefined for `{`/`[` (handled by the caller). */
  const parseScalar = (at: number): unknown => {
    const c = text.charCodeAt(at);
    if (c === 0x22) return parseString(at);
    if (c === 0x2d || isDigit(c)) {
      if (c === 0x2d && text.startsWith("-Infinity", at)) {
        end = at + 9;
        if (raw) return new JsonNumber("-Infinity", true);
        return box ? new PyFloat(-Infinity) : -Infinity;
      }
      return parseNumber(at);
    }
    for (const [word, value] of LITERALS) {
      if (text.startsWith(word, at)) {
        end = at + word.length;
        if (raw && typeof value === "number") return new JsonNumber(word, true);
        return box && value === Infinity ? new PyFloat(Infinity) : value;
      }
    }
    return fail("Expecting value", at);
  };

  const parseKey = (at: number): string | null => {
    if (text.charCodeAt(at) !== 0x22) return fail("Expecting property name enclosed in double quotes", at);
    const key = parseString(at);
    if (key === null) return null;
    const colon = ws(end);
    if (text.charCodeAt(colon) !== 0x3a) return fail("Expecting ':' delimiter", colon);
    end = ws(colon + 1);
    return key;
  };

  if (text.charCodeAt(0) === 0xfeff) {
    return { ok: false, message: "Unexpected UTF-8 BOM (decode using utf-8-sig)", offset: 0 };
  }

  const stack: Frame[] = [];
  let i = ws(0);
  for (;;) {
    let value: unknown;
    const c = text.charCodeAt(i);
    if (c === 0x7b) {
      i = ws(i + 1);
      if (text.charCodeAt(i) === 0x7d) {
        value = {};
        i++;
      } else {
        const key = parseKey(i);
        if (key === null) break;
        stack.push({ array: null, object: {}, key });
        i = end;
        continue;
      }
    } else if (c === 0x5b) {
      i = ws(i + 1);
      if (text.charCodeAt(i) === 0x5d) {
        value = [];
        i++;
      } else {
        stack.push({ array: [], object: null, key: "" });
        continue;
      }
    } else {
      value = parseScalar(i);
      if (value === null && failure !== null) break;
      i = end;
    }

    // Attach the finished value to its parents, closing every container that ends here.
    let next = false;
    while (!next) {
      const top = stack[stack.length - 1];
      i = ws(i);
      if (top === undefined) {
        if (i !== n) fail("Extra data", i);
        if (failure !== null) break;
        return { ok: true, value };
      }
      const d = text.charCodeAt(i);
      if (top.array !== null) {
        top.array.push(value);
        if (d === 0x2c) {
          i = ws(i + 1);
          next = true;
        } else if (d === 0x5d) {
          value = top.array;
          stack.pop();
          i++;
        } else {
          fail("Expecting ',' delimiter", i);
          break;
        }
      } else {
        const object = top.object as Record<string, unknown>;
        if (unique && Object.hasOwn(object, top.key)) {
          fail(`Duplicate key ${JSON.stringify(top.key)} in one object`, i);
          break;
        }
        setKey(object, top.key, value);
        if (d === 0x2c) {
          const key = parseKey(ws(i + 1));
          if (key === null) break;
          top.key = key;
          i = end;
          next = true;
        } else if (d === 0x7d) {
          value = object;
          stack.pop();
          i++;
        } else {
          fail("Expecting ',' delimiter", i);
          break;
        }
      }
    }
    if (!next) break;
  }
  const f = failure as { message: string; offset: number } | null;
  return { ok: false, message: f?.message ?? "Expecting value", offset: f?.offset ?? i };
}

const LITERALS: ReadonlyArray<readonly [string, unknown]> = [
  ["true", true],
  ["false", false],
  ["null", null],
  ["NaN", NaN],
  ["Infinity", Infinity],
];

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function setKey(object: Record<string, unknown>, key: string, value: unknown): void {
  // A plain assignment to "__proto__" would change the prototype; JSON.parse makes it a key.
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else object[key] = value;
}
