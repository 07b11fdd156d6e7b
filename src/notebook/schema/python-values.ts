import { PyFloat } from "./py-float.js";

/** Python semantics of parsed JSON values, as nbformat's reader and fastjsonschema see them. */
export type JsonObject = Record<string, unknown>;

/** A JSON object (Python dict). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof PyFloat);
}

/**
 * Whether an object or array has no enumerable key, own or inherited (then it has no own one
 * either), told by `for...in` without allocating a key array as `Object.keys` would.
 */
export function isEmpty(value: object): boolean {
  for (const _ in value) return false;
  return true;
}

/** fastjsonschema's "integer": a Python int, never a bool and never a float such as `1.0`. */
export function isPyInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

/** What the value is, for messages. */
export function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (v instanceof PyFloat) return `the float ${pyFloatRepr(v.value)}`;
  switch (typeof v) {
    case "string":
      return `the string ${quote(v)}`;
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
    case "object":
      return "an object";
    default:
      return typeof v;
  }
}

/** A short quoted rendering of a string for messages. */
export function quote(s: string): string {
  const cut = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return JSON.stringify(cut);
}

/** Python's `str()` of a parsed JSON scalar, for the "4.5"-style version string. */
export function pyStr(v: unknown): string {
  if (v === undefined || v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : pyFloatRepr(v);
  if (typeof v === "string") return v;
  return Array.isArray(v) ? "[...]" : "{...}";
}

function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x).replace(/e\+?/, "e+").replace("e+-", "e-");
}

/**
 * A key under which Python's hash-equality holds (1 == 1.0 == True), or null when the value is
 * unhashable (a list or dict). NaN never equals itself, so it gets a unique key.
 */
export function pyHashKey(v: unknown, unique: () => string): string | null {
  if (Array.isArray(v) || isObject(v)) return null;
  if (typeof v === "string") return `s${v}`;
  if (v === null || v === undefined) return "None";
  const num = v instanceof PyFloat ? v.value : typeof v === "boolean" ? (v ? 1 : 0) : (v as number);
  if (Number.isNaN(num)) return unique();
  return `n${num === 0 ? 0 : num}`;
}

/** Python truthiness of a parsed JSON value. */
export function pyTruthy(v: unknown): boolean {
  if (v instanceof PyFloat) return v.value !== 0;
  if (typeof v === "number") return v !== 0; // NaN is truthy in Python
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

/** Python `==` against a bool/str enum member, e.g. `1.0 == True`. */
export function pyEquals(v: unknown, member: boolean | string): boolean {
  if (typeof member === "string") return v === member;
  const want = member ? 1 : 0;
  if (typeof v === "boolean") return v === member;
  if (v instanceof PyFloat) return v.value === want;
  return typeof v === "number" && v === want;
}
