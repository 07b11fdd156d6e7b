import type { Finding, JsonPath, RuleId } from "../finding.js";
import { describeType, isEmpty, isObject, isPyInt, type JsonObject } from "./python-values.js";
import { scanNesting, V4_NESTING, type NestingLimits } from "./scan-nesting.js";

/** Findings of one kind per notebook beyond this are summarised in one last finding. */
const MAX_FINDINGS = 100;

/**
 * Collects schema findings with precise paths, and offers the typed checks the hand-written
 * per-version validators are made of. Each check reports at most one finding per value.
 */
export class SchemaChecker {
  readonly findings: Finding[] = [];
  /** Whether nbformat would call the notebook invalid. */
  invalid = false;
  /** Whether free-form data holds ±Infinity, which may stand for an integer Python refuses. */
  hasInfinity = false;
  /** How many integer fields (execution counts...) held an integral number, which `1.0` would also give. */
  integralCounts = 0;
  /** An integer field held ±Infinity: a float like 1e999, or an int too big for a JS number. */
  sawInfiniteInteger = false;
  private dropped = 0;
  private tooDeep = false;

  /**
   * @param exactNumbers the value comes from parsePythonJson with boxed floats, so a plain
   *   ±Infinity can only be a huge integer literal, which Python keeps as an int.
   */
  constructor(
    private readonly nesting: NestingLimits = V4_NESTING,
    readonly exactNumbers = false,
  ) {}

  /** fastjsonschema's "integer", given how the value was parsed. */
  isInteger(v: unknown): v is number {
    if (isPyInt(v)) return true;
    if (v !== Infinity && v !== -Infinity) return false;
    this.sawInfiniteInteger = true;
    return this.exactNumbers;
  }

  /**
   * Free-form data (metadata, JSON outputs, keys a relaxed schema lets through) is not checked,
   * but nbformat's reader must still be able to recurse through it.
   */
  free(value: unknown, path: JsonPath): void {
    if (typeof value !== "object" || value === null) {
      if (value === Infinity || value === -Infinity) this.hasInfinity = true;
      return;
    }
    if (this.tooDeep || isShallow(value, path.length + 1, this)) return;
    const scan = scanNesting(value, this.nesting, path);
    if (scan.hasInfinity) this.hasInfinity = true;
    if (scan.tooDeep !== null) {
      this.tooDeep = true;
      this.fail(
        scan.tooDeep,
        `${shortWhere(scan.tooDeep)} is nested ${scan.tooDeep.length + 1} levels deep, deeper than nbformat (Python) can read: flatten it or store it outside the notebook.`,
      );
    }
  }

  /** `free(value, [...parent, key])`, building that path only when the value needs the full scan. */
  freeChild(value: unknown, parent: JsonPath, key: string | number): void {
    if (typeof value !== "object" || value === null) {
      if (value === Infinity || value === -Infinity) this.hasInfinity = true;
      return;
    }
    if (this.tooDeep || isShallow(value, parent.length + 2, this)) return;
    this.free(value, [...parent, key]);
  }

  report(rule: RuleId, path: JsonPath, message: string, affectsValidity = true): void {
    if (affectsValidity) this.invalid = true;
    if (this.findings.length >= MAX_FINDINGS) {
      this.dropped++;
      return;
    }
    this.findings.push({ rule, severity: "error", message, path });
  }

  /** Appends the summary of findings beyond the cap. */
  finish(): Finding[] {
    if (this.dropped > 0) {
      this.findings.push({
        rule: "schema",
        severity: "error",
        message: `${this.dropped} more schema problems were not listed: fix the ones above and check again.`,
        path: [],
      });
      this.dropped = 0;
    }
    return this.findings;
  }

  fail(path: JsonPath, message: string): void {
    this.report("schema", path, message);
  }

  object(v: unknown, path: JsonPath): v is JsonObject {
    if (isObject(v)) return true;
    this.fail(path, `${where(path)} must be an object, but it is ${describeType(v)}: replace it with {…}.`);
    return false;
  }

  array(v: unknown, path: JsonPath): v is unknown[] {
    if (Array.isArray(v)) return true;
    this.fail(path, `${where(path)} must be an array, but it is ${describeType(v)}: replace it with […].`);
    return false;
  }

  string(v: unknown, path: JsonPath): v is string {
    if (typeof v === "string") return true;
    this.fail(path, `${where(path)} must be a string, but it is ${describeType(v)}: quote it or fix the value.`);
    return false;
  }

  boolean(v: unknown, path: JsonPath): void {
    if (typeof v !== "boolean") {
      this.fail(path, `${where(path)} must be true or false, but it is ${describeType(v)}.`);
    }
  }

  /** An integer >= min, or null when `nullable`. */
  integer(v: unknown, path: JsonPath, min: number, nullable: boolean): void {
    if (v === null && nullable) return;
    const what = nullable ? `an integer >= ${min} or null` : `an integer >= ${min}`;
    if (isPyInt(v)) this.integralCounts++;
    if (!this.isInteger(v)) {
      this.fail(path, `${where(path)} must be ${what}, but it is ${describeType(v)}: write a whole number without a decimal point.`);
    } else if (v < min) {
      this.fail(path, `${where(path)} must be ${what}, but it is ${v}: use a value >= ${min}.`);
    }
  }

  /** A string, or an array of strings (nbformat's multiline_string). */
  multiline(v: unknown, path: JsonPath): void {
    if (typeof v === "string") return;
    if (Array.isArray(v)) {
      this.stringItems(v, path);
      return;
    }
    this.fail(path, `${where(path)} must be a string or an array of strings, but it is ${describeType(v)}.`);
  }

  /** Every item of the array is a string; reports the first offender only. */
  stringItems(v: unknown[], path: JsonPath): void {
    for (let k = 0; k < v.length; k++) {
      if (typeof v[k] !== "string") {
        this.fail([...path, k], `${where([...path, k])} must be a string, but it is ${describeType(v[k])}: every line must be a string.`);
        return;
      }
    }
  }

  required(o: JsonObject, keys: readonly string[], path: JsonPath, what: string): void {
    for (const key of keys) {
      if (!(key in o)) this.fail(path, `${where(path)} is missing the required key "${key}" of ${what}: add it.`);
    }
  }

  /** additionalProperties: false. `matches` lets keys through that a patternProperties covers. */
  onlyKeys(
    o: JsonObject,
    allowed: ReadonlySet<string>,
    path: JsonPath,
    what: string,
    matches?: (key: string) => boolean,
  ): void {
    for (const key in o) {
      if (allowed.has(key) || (matches !== undefined && matches(key))) continue;
      this.fail(
        [...path, key],
        `${where(path)} has the key "${key}", which ${what} does not allow (allowed: ${[...allowed].join(", ")}): remove it.`,
      );
    }
  }
}

/** "cells[3].outputs[0].output_type" for a path; "the notebook" for the root. */
export function where(path: JsonPath): string {
  if (path.length === 0) return "the notebook";
  let s = "";
  for (const part of path) {
    if (typeof part === "number") s += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) s += s === "" ? part : `.${part}`;
    else s += `[${JSON.stringify(part)}]`;
  }
  return s;
}

/** A readable name for a path that may be thousands of levels long. */
function shortWhere(path: JsonPath): string {
  if (path.length <= 12) return where(path);
  return `${where(path.slice(0, 6))}…(${path.length - 8} more levels)…${where(path.slice(-2))}`;
}

/**
 * The common case, metadata such as `{}` or `{"tags": ["a"]}`: no container below the first
 * level, at a depth far from the limit. Saves the full scan's bookkeeping.
 */
function isShallow(value: object, depth: number, c: SchemaChecker): boolean {
  if (depth > 400) return false;
  // Most metadata is `{}`, which `for...in` tells without allocating a key array.
  if (isEmpty(value)) return true;
  const array = Array.isArray(value) ? value : null;
  const object = value as Record<string, unknown>;
  const keys = array === null ? Object.keys(object) : null;
  const n = array === null ? (keys as string[]).length : array.length;
  for (let k = 0; k < n; k++) {
    const item = array === null ? object[(keys as string[])[k] as string] : array[k];
    if (typeof item === "object" && item !== null) {
      if (!Array.isArray(item)) return false;
      for (const inner of item) {
        if (typeof inner === "object" && inner !== null) return false;
        if (inner === Infinity || inner === -Infinity) c.hasInfinity = true;
      }
    } else if (item === Infinity || item === -Infinity) c.hasInfinity = true;
  }
  return true;
}
