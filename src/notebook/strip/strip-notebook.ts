import { checkNotebook } from "../check-notebook.js";
import { JsonNumber } from "../schema/json-number.js";
import { parsePythonJson } from "../schema/parse-python-json.js";
import { rejoinLines, splitNotebookLines, stripTransient } from "./nbformat-lines.js";
import { dumpJson, formatNumber, NotWritableError } from "./write-nbformat-json.js";

export interface StripOptions {
  /** Keep code cells' outputs. */
  keepOutput?: boolean;
  /** Keep code cells' execution counts. */
  keepCount?: boolean;
  /**
   * Dotted paths of metadata to drop: `cell.metadata.KEY` (every cell) or `metadata.KEY` (the
   * notebook's); defaults to {@link VOLATILE_METADATA}.
   */
  dropMetadata?: readonly string[];
}

/** Metadata that front ends rewrite on every run or view, so it only ever makes diffs noisy. */
export const VOLATILE_METADATA: readonly string[] = [
  "metadata.widgets",
  "cell.metadata.collapsed",
  "cell.metadata.scrolled",
  "cell.metadata.ExecuteTime",
  "cell.metadata.execution",
  "cell.metadata.heading_collapsed",
  "cell.metadata.hidden",
];

export type StripResult = { ok: true; text: string; changed: boolean } | { ok: false; message: string };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Clears a notebook's outputs, execution counts and volatile metadata, and returns the file as
 * nbformat's writer (`nbformat.writes` plus the final newline `nbformat.write` adds) would write it.
 *
 * Refuses, rather than rewrite, a notebook that it cannot read exactly or that nbformat itself would
 * change unpredictably: invalid JSON or UTF-8, a repeated key, an invalid notebook, duplicate or
 * missing cell ids (nbformat replaces them with random ones), a format other than 4, and any result
 * that does not read back to the intended notebook.
 */
export function stripNotebook(bytes: Uint8Array, options: StripOptions = {}): StripResult {
  const report = checkNotebook("notebook", bytes);
  if (!report.valid || report.findings.some((finding) => finding.rule === "duplicate-cell-id")) {
    const first = report.findings.find((finding) => finding.severity === "error");
    const where = first?.line === undefined ? "" : ` (line ${first.line})`;
    return { ok: false, message: `not a valid notebook, so it is left as it is: ${first?.message ?? "see nbtrain check"}${where}` };
  }
  if (report.nbformat === null || !report.nbformat.startsWith("4.")) {
    return { ok: false, message: `nbformat ${report.nbformat ?? "unknown"}: only nbformat 4 is rewritten; upgrade it with jupyter nbconvert --to notebook --inplace` };
  }
  const parsed = readExact(bytes);
  if (!parsed.ok) return parsed;
  const nb = parsed.value;
  const minor = nb["nbformat_minor"];
  if (minor instanceof JsonNumber && Number(minor.text) >= 5 && Array.isArray(nb["cells"])) {
    const missing = nb["cells"].findIndex((cell) => isObject(cell) && !Object.hasOwn(cell, "id"));
    if (missing !== -1) {
      return { ok: false, message: `cells[${missing}] has no id, which nbformat 4.5 requires; nbformat would invent a random one on every write, so give each cell an id first (open and save it in Jupyter)` };
    }
  }
  stripTransient(nb);
  rejoinLines(nb);
  clear(nb, options);
  const expected = cloneJson(nb);
  let text: string;
  try {
    splitNotebookLines(nb);
    stripTransient(nb);
    text = `${dumpJson(nb)}\n`;
  } catch (error) {
    if (error instanceof NotWritableError) return { ok: false, message: `cannot be rewritten exactly: ${error.message}` };
    throw error;
  }
  // Read what would be written back, as nbformat would, and compare: nothing leaves unless it round-trips.
  const check = readExact(new TextEncoder().encode(text));
  if (!check.ok) return { ok: false, message: `the rewritten notebook would not read back (${check.message}); it is left as it is` };
  stripTransient(check.value);
  rejoinLines(check.value);
  if (!sameJson(check.value, expected)) return { ok: false, message: "the rewritten notebook would not read back the same; it is left as it is" };
  const original = new TextDecoder().decode(bytes);
  return { ok: true, text, changed: text !== original };
}

function readExact(bytes: Uint8Array): { ok: true; value: Json } | { ok: false; message: string } {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, message: "not valid UTF-8" };
  }
  const parsed = parsePythonJson(text, { rawNumbers: true, rejectDuplicateKeys: true });
  if (!parsed.ok) return { ok: false, message: `cannot be read exactly: ${parsed.message} at offset ${parsed.offset}` };
  if (!isObject(parsed.value)) return { ok: false, message: "the file is not a JSON object" };
  return { ok: true, value: parsed.value };
}

function clear(nb: Json, options: StripOptions): void {
  const drop = options.dropMetadata ?? VOLATILE_METADATA;
  const cells = Array.isArray(nb["cells"]) ? nb["cells"].filter(isObject) : [];
  for (const path of drop) {
    const [scope, ...rest] = path.split(".");
    if (scope === "metadata") dropPath(nb["metadata"], rest);
    else if (scope === "cell" && rest[0] === "metadata") for (const cell of cells) dropPath(cell["metadata"], rest.slice(1));
  }
  for (const cell of cells) {
    if (cell["cell_type"] !== "code") continue;
    if (!options.keepOutput) cell["outputs"] = [];
    if (!options.keepCount) cell["execution_count"] = null;
  }
}

function dropPath(target: unknown, keys: string[]): void {
  let node = target;
  for (const key of keys.slice(0, -1)) node = isObject(node) ? node[key] : undefined;
  const last = keys[keys.length - 1];
  if (isObject(node) && last !== undefined) delete node[last];
}

/** A deep copy that keeps {@link JsonNumber}s (structuredClone would turn them into plain objects). */
function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (isObject(value) && !(value instanceof JsonNumber)) {
    const copy: Json = {};
    for (const [key, item] of Object.entries(value)) Object.defineProperty(copy, key, { value: cloneJson(item), writable: true, enumerable: true, configurable: true });
    return copy;
  }
  return value;
}

/** Deep equality, numbers compared as Python would print them. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a instanceof JsonNumber || b instanceof JsonNumber) {
    return a instanceof JsonNumber && b instanceof JsonNumber && a.isFloat === b.isFloat && formatNumber(a) === formatNumber(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
  }
  return a === b;
}
