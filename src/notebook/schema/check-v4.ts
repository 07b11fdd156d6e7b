import type { JsonPath } from "../finding.js";
import { describeType, isEmpty, isObject, pyEquals, pyHashKey, pyTruthy, quote, type JsonObject } from "./python-values.js";
import { checkNameAndTags } from "./check-name-and-tags.js";
import { SchemaChecker, where } from "./schema-checker.js";

/** The newest minor nbformat 5.5.0 has a schema for; later minors get its rules, relaxed. */
const LATEST_V4_MINOR = 5;

const CELL_TYPES = ["raw", "markdown", "code"];
const OUTPUT_TYPES = ["execute_result", "display_data", "stream", "error"];
const TOP_KEYS = new Set(["metadata", "nbformat_minor", "nbformat", "cells"]);
const OUTPUT_KEYS: Record<string, ReadonlySet<string>> = {
  execute_result: new Set(["output_type", "data", "metadata", "execution_count"]),
  display_data: new Set(["output_type", "data", "metadata"]),
  stream: new Set(["output_type", "name", "text"]),
  error: new Set(["output_type", "ename", "evalue", "traceback"]),
};
const OUTPUT_REQUIRED: Record<string, readonly string[]> = {
  execute_result: ["output_type", "data", "metadata", "execution_count"],
  display_data: ["output_type", "data", "metadata"],
  stream: ["output_type", "name", "text"],
  error: ["output_type", "ename", "evalue", "traceback"],
};
const CELL_KEYS: Record<string, ReadonlySet<string>> = {
  raw: new Set(["cell_type", "metadata", "source", "attachments"]),
  markdown: new Set(["cell_type", "metadata", "source", "attachments"]),
  code: new Set(["cell_type", "metadata", "source", "outputs", "execution_count"]),
};
const CELL_KEYS_WITH_ID: Record<string, ReadonlySet<string>> = {
  raw: new Set(["id", ...(CELL_KEYS.raw as Set<string>)]),
  markdown: new Set(["id", ...(CELL_KEYS.markdown as Set<string>)]),
  code: new Set(["id", ...(CELL_KEYS.code as Set<string>)]),
};
/** "id" is required from 4.5 on too, but the reader adds a missing one before validating. */
const TEXT_REQUIRED = ["cell_type", "metadata", "source"];
const CODE_REQUIRED = ["cell_type", "metadata", "source", "outputs", "execution_count"];
const EXECUTION_KEYS = ["iopub.execute_input", "iopub.status.busy", "shell.execute_reply", "iopub.status.idle"];

/** Keys of the mimebundle that may hold any JSON: Python `re.search("^application/(.*\+)?json$")`. */
const JSON_MIME = /^application\/(?:[^\n]*\+)?json\n?$/;
/** Keys the code cell `execution` patternProperties "^.*$" applies to (Python `$` semantics). */
const SINGLE_LINE_KEY = /^[^\n]*\n?$/;
const CELL_ID = /^[a-zA-Z0-9_-]+$/;

interface Rules {
  minor: number;
  /** A minor newer than nbformat knows: unknown keys, cell and output types are allowed. */
  future: boolean;
}

/**
 * Validates a v4 notebook (whose `nbformat` is 4 and `nbformat_minor` a non-negative integer)
 * as nbformat 5.5.0 does after `reads(..., NO_CONVERT)`: what the reader needs to load it, what
 * the reader repairs (cell ids, transient keys), then the schema of its minor.
 */
export function checkV4(nb: JsonObject, minor: number, c: SchemaChecker): void {
  const rules: Rules = { minor: Math.min(minor, LATEST_V4_MINOR), future: minor > LATEST_V4_MINOR };
  c.required(nb, ["metadata", "nbformat_minor", "nbformat", "cells"], [], `a v4.${minor} notebook`);
  if (!rules.future) c.onlyKeys(nb, TOP_KEYS, [], "a notebook");
  else freeExtraKeys(nb, TOP_KEYS, [], c);
  if ("metadata" in nb && c.object(nb.metadata, ["metadata"])) {
    checkNotebookMetadata(nb.metadata, rules, c);
    c.free(nb.metadata, ["metadata"]);
  }
  if (!("cells" in nb) || !c.array(nb.cells, ["cells"])) return;
  const cells = nb.cells;
  const replacedIds = rules.minor >= 5 ? findDuplicateIds(cells, c) : null;
  for (let i = 0; i < cells.length; i++) checkCell(cells[i], i, rules, replacedIds?.has(i) === true, c);
}

function checkNotebookMetadata(md: JsonObject, rules: Rules, c: SchemaChecker): void {
  const path: JsonPath = ["metadata"];
  // orig_nbformat, orig_nbformat_minor and signature are not checked: the reader drops them.
  if ("kernelspec" in md) {
    const ks = md.kernelspec;
    const p = [...path, "kernelspec"];
    if (c.object(ks, p)) {
      c.required(ks, ["name", "display_name"], p, "a kernelspec");
      if ("name" in ks) c.string(ks.name, [...p, "name"]);
      if ("display_name" in ks) c.string(ks.display_name, [...p, "display_name"]);
    }
  }
  if ("language_info" in md) {
    const li = md.language_info;
    const p = [...path, "language_info"];
    if (c.object(li, p)) {
      c.required(li, ["name"], p, "language_info");
      for (const key of ["name", "file_extension", "mimetype", "pygments_lexer"]) {
        if (key in li) c.string(li[key], [...p, key]);
      }
      if ("codemirror_mode" in li) {
        const mode = li.codemirror_mode;
        if (typeof mode !== "string" && !isObject(mode)) {
          c.fail([...p, "codemirror_mode"], `${where([...p, "codemirror_mode"])} must be a string or an object, but it is ${describeType(mode)}.`);
        }
      }
    }
  }
  if (rules.minor >= 2) {
    if ("title" in md) c.string(md.title, [...path, "title"]);
    if ("authors" in md) c.array(md.authors, [...path, "authors"]);
  }
}

/**
 * nbformat's reader (5.5.0) replaces a repeated cell id with a fresh one before validating, so a
 * duplicate never makes `isvalid` false; newer releases reject it, hence a separate finding.
 * Returns the indexes of cells whose id the reader replaced.
 */
function findDuplicateIds(cells: unknown[], c: SchemaChecker): Set<number> {
  const seen = new Map<string, number>();
  const replaced = new Set<number>();
  let nan = 0;
  const uniqueNan = () => `nan${nan++}`;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (!isObject(cell) || !("id" in cell)) continue;
    const key = pyHashKey(cell.id, uniqueNan);
    if (key === null) {
      // Python raises TypeError hashing it: the notebook cannot be read.
      c.fail(["cells", i, "id"], `${where(["cells", i, "id"])} must be a string, but it is ${describeType(cell.id)}: give the cell a short unique id such as "a1b2c3".`);
      replaced.add(i);
      continue;
    }
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      continue;
    }
    replaced.add(i);
    c.report(
      "duplicate-cell-id",
      ["cells", i, "id"],
      `${where(["cells", i, "id"])} ${typeof cell.id === "string" ? quote(cell.id) : describeType(cell.id)} repeats the id of cells[${first}]: cell ids must be unique, give this cell a new id.`,
      false,
    );
  }
  return replaced;
}

function checkCell(cell: unknown, index: number, rules: Rules, idReplaced: boolean, c: SchemaChecker): void {
  const path: JsonPath = ["cells", index];
  if (!c.object(cell, path)) return;
  checkCellForReader(cell, path, c);
  if (!("cell_type" in cell)) {
    c.fail(path, `${where(path)} is missing "cell_type": add one of ${CELL_TYPES.join(", ")}.`);
    return;
  }
  const type = cell.cell_type;
  if (typeof type !== "string" || !CELL_TYPES.includes(type)) {
    if (rules.future) {
      checkUnrecognizedCell(cell, path, c);
      return;
    }
    c.fail(
      [...path, "cell_type"],
      `${where([...path, "cell_type"])} ${typeof type === "string" ? quote(type) : describeType(type)} is not one of ${CELL_TYPES.join(", ")}: fix the cell type or remove the cell.`,
    );
    return;
  }
  const code = type === "code";
  const allowed = (rules.minor >= 5 ? CELL_KEYS_WITH_ID : CELL_KEYS)[type] as ReadonlySet<string>;
  const required = code ? CODE_REQUIRED : TEXT_REQUIRED;
  // The description is only built for a finding.
  if (!hasAll(cell, required)) c.required(cell, required, path, `a v4.${rules.minor} ${type} cell`);
  if (!rules.future) {
    if (!keysWithin(cell, allowed)) c.onlyKeys(cell, allowed, path, `a v4.${rules.minor} ${type} cell`);
  } else freeExtraKeys(cell, allowed, path, c);

  // The checks below build a value's path only when it is reported (or, for free-form data, when
  // it is deep enough to scan): a notebook has many values and few problems, and the allocations
  // are a large part of validation's cost.
  if (rules.minor >= 5 && "id" in cell && !idReplaced) checkCellId(cell.id, path, c);
  if ("metadata" in cell) {
    const md = cell.metadata;
    if (!isObject(md)) c.object(md, [...path, "metadata"]);
    else if (!isEmpty(md)) {
      // Most cells' metadata is empty, with nothing to check and, this shallow, nothing to scan.
      checkCellMetadata(md, [...path, "metadata"], type, rules, c);
      c.freeChild(md, path, "metadata");
    }
  }
  if ("source" in cell && !isMultiline(cell.source)) c.multiline(cell.source, [...path, "source"]);
  if (!code && "attachments" in cell) checkAttachments(cell.attachments, [...path, "attachments"], rules, c);
  if (code) {
    if ("execution_count" in cell) checkCount(cell.execution_count, path, c);
    if ("outputs" in cell) {
      const outputs = cell.outputs;
      if (!Array.isArray(outputs)) c.array(outputs, [...path, "outputs"]);
      else for (let k = 0; k < outputs.length; k++) checkOutput(outputs[k], index, k, rules, c);
    }
  }
}

/**
 * What nbformat's reader itself needs from any cell (rejoin_lines), beyond the schema: these
 * matter where the schema is relaxed (future minors, unrecognized cells).
 */
function checkCellForReader(cell: JsonObject, path: JsonPath, c: SchemaChecker): void {
  const known = typeof cell.cell_type === "string" && CELL_TYPES.includes(cell.cell_type);
  if (!known && Array.isArray(cell.source)) c.stringItems(cell.source, [...path, "source"]);
  if ("attachments" in cell && (cell.cell_type === "code" || !known)) {
    const att = cell.attachments;
    const p = [...path, "attachments"];
    if (c.object(att, p)) {
      for (const name in att) c.object(att[name], [...p, name]);
    }
  }
  if (!("metadata" in cell)) {
    if (!known && "cell_type" in cell) c.fail(path, `${where(path)} is missing "metadata": add "metadata": {}.`);
  }
}

/** Whether `o` has every key: what `SchemaChecker.required` accepts without a finding. */
function hasAll(o: JsonObject, keys: readonly string[]): boolean {
  // Indexed: a `for...of` step allocates in the unoptimized code this runs as, once per cell and output.
  for (let k = 0; k < keys.length; k++) if (!((keys[k] as string) in o)) return false;
  return true;
}

/** Whether every key of `o` is allowed: what `SchemaChecker.onlyKeys` accepts without a finding. */
function keysWithin(o: JsonObject, allowed: ReadonlySet<string>): boolean {
  for (const key in o) if (!allowed.has(key)) return false;
  return true;
}

/** A string or an array of strings: what `SchemaChecker.multiline` accepts without a finding. */
function isMultiline(v: unknown): boolean {
  if (typeof v === "string") return true;
  if (!Array.isArray(v)) return false;
  for (let k = 0; k < v.length; k++) if (typeof v[k] !== "string") return false;
  return true;
}

/** `execution_count` of `parent`: `c.integer(v, [...parent, "execution_count"], 0, true)`, building the path only to report. */
function checkCount(v: unknown, parent: JsonPath, c: SchemaChecker): void {
  if (v === null) return;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) {
    c.integralCounts++;
    return;
  }
  c.integer(v, [...parent, "execution_count"], 0, true);
}

function checkCellId(id: unknown, cellPath: JsonPath, c: SchemaChecker): void {
  if (typeof id === "string" && id.length > 0 && id.length <= 64 && CELL_ID.test(id)) return;
  const path = [...cellPath, "id"];
  if (!c.string(id, path)) return;
  if (id.length === 0 || id.length > 64 || !CELL_ID.test(id)) {
    c.fail(
      path,
      `${where(path)} ${quote(id)} is not a valid cell id: use 1 to 64 characters from a-z, A-Z, 0-9, "-" and "_".`,
    );
  }
}

function checkCellMetadata(md: JsonObject, path: JsonPath, type: string, rules: Rules, c: SchemaChecker): void {
  checkNameAndTags(md, path, c);
  if (rules.minor >= 3 && "jupyter" in md) c.object(md.jupyter, [...path, "jupyter"]);
  if (type === "raw" && "format" in md) c.string(md.format, [...path, "format"]);
  if (type !== "code") return;
  if ("collapsed" in md) c.boolean(md.collapsed, [...path, "collapsed"]);
  if ("scrolled" in md) {
    const s = md.scrolled;
    if (!pyEquals(s, true) && !pyEquals(s, false) && s !== "auto") {
      c.fail([...path, "scrolled"], `${where([...path, "scrolled"])} must be true, false or "auto", but it is ${describeType(s)}.`);
    }
  }
  if (rules.minor >= 4 && "execution" in md) {
    const ex = md.execution;
    const p = [...path, "execution"];
    if (c.object(ex, p)) {
      for (const key in ex) {
        if (EXECUTION_KEYS.includes(key) || SINGLE_LINE_KEY.test(key)) {
          if (typeof ex[key] !== "string") {
            c.fail([...p, key], `${where([...p, key])} must be a timestamp string, but it is ${describeType(ex[key])}.`);
          }
        }
      }
    }
  }
}

function checkAttachments(att: unknown, path: JsonPath, rules: Rules, c: SchemaChecker): void {
  if (!c.object(att, path)) return;
  for (const name in att) checkMimeBundle(att[name], path, name, rules, c);
  c.free(att, path);
}

/** The mime bundle at `parent[key]`, whose path is built only when it is reported. */
function checkMimeBundle(bundle: unknown, parent: JsonPath, key: string, rules: Rules, c: SchemaChecker): void {
  if (!isObject(bundle)) {
    c.object(bundle, [...parent, key]);
    return;
  }
  if (rules.future) {
    c.freeChild(bundle, parent, key);
    return;
  }
  for (const mime in bundle) {
    const v = bundle[mime];
    // A string is valid under any type, JSON ones included (free data with nothing to scan).
    if (typeof v === "string") continue;
    if (isJsonMime(mime)) {
      c.free(v, [...parent, key, mime]);
      continue;
    }
    if (Array.isArray(v)) {
      if (!isMultiline(v)) c.stringItems(v, [...parent, key, mime]);
      continue;
    }
    const path = [...parent, key, mime];
    c.fail(
      path,
      `${where(path)} must be a string or an array of strings, but it is ${describeType(v)}: only application/json and application/*+json data may hold other JSON.`,
    );
  }
}

/** A mime type whose data may be any JSON; the prefix test spares most keys the regex. */
function isJsonMime(mime: string): boolean {
  return mime.startsWith("application/") && JSON_MIME.test(mime);
}

function checkOutput(output: unknown, cell: number, k: number, rules: Rules, c: SchemaChecker): void {
  const path: JsonPath = ["cells", cell, "outputs", k];
  if (!c.object(output, path)) return;
  const type = output.output_type;
  if (!("output_type" in output)) {
    c.fail(path, `${where(path)} is missing "output_type": add one of ${OUTPUT_TYPES.join(", ")}, or remove the output.`);
    return;
  }
  if (Array.isArray(type) || isObject(type)) {
    // The reader tests `output_type in {...}`, which raises on an unhashable value.
    c.fail([...path, "output_type"], `${where([...path, "output_type"])} must be a string, but it is ${describeType(type)}: fix or remove the output.`);
    return;
  }
  const known = typeof type === "string" && OUTPUT_TYPES.includes(type) ? type : null;
  // The reader joins a list "text" of any other output; a non-string line makes it fail (streams
  // are checked by the schema below).
  if (known !== "execute_result" && known !== "display_data" && known !== "stream" && pyTruthy(type) && Array.isArray(output.text)) {
    c.stringItems(output.text, [...path, "text"]);
  }
  if (known === null) {
    if (rules.future) {
      c.free(output, path);
      return;
    }
    c.fail(
      [...path, "output_type"],
      `${where([...path, "output_type"])} ${typeof type === "string" ? quote(type) : describeType(type)} is not one of ${OUTPUT_TYPES.join(", ")}: fix or remove the output.`,
    );
    return;
  }
  const required = OUTPUT_REQUIRED[known] as readonly string[];
  const allowed = OUTPUT_KEYS[known] as ReadonlySet<string>;
  if (!hasAll(output, required)) c.required(output, required, path, `a ${known} output`);
  if (!rules.future) {
    if (!keysWithin(output, allowed)) c.onlyKeys(output, allowed, path, `a ${known} output`);
  } else freeExtraKeys(output, allowed, path, c);
  switch (known) {
    case "execute_result":
      if ("execution_count" in output) checkCount(output.execution_count, path, c);
    // falls through
    case "display_data":
      if ("data" in output) checkMimeBundle(output.data, path, "data", rules, c);
      if ("metadata" in output && (isObject(output.metadata) || c.object(output.metadata, [...path, "metadata"]))) {
        c.freeChild(output.metadata, path, "metadata");
      }
      break;
    case "stream":
      if ("name" in output && typeof output.name !== "string") c.string(output.name, [...path, "name"]);
      if ("text" in output && !isMultiline(output.text)) c.multiline(output.text, [...path, "text"]);
      break;
    case "error":
      if ("ename" in output && typeof output.ename !== "string") c.string(output.ename, [...path, "ename"]);
      if ("evalue" in output && typeof output.evalue !== "string") c.string(output.evalue, [...path, "evalue"]);
      if ("traceback" in output && !(Array.isArray(output.traceback) && isMultiline(output.traceback)) && c.array(output.traceback, [...path, "traceback"])) {
        c.stringItems(output.traceback, [...path, "traceback"]);
      }
      break;
  }
}

function checkUnrecognizedCell(cell: JsonObject, path: JsonPath, c: SchemaChecker): void {
  // unrecognized_cell: required cell_type and metadata; metadata name and tags as usual.
  c.free(cell, path);
  if (!("metadata" in cell)) return; // reported by checkCellForReader
  const md = cell.metadata;
  if (!c.object(md, [...path, "metadata"])) return;
  checkNameAndTags(md, [...path, "metadata"], c);
}

/** In a future minor any extra key is allowed; the reader must still be able to recurse into it. */
function freeExtraKeys(o: JsonObject, known: ReadonlySet<string>, path: JsonPath, c: SchemaChecker): void {
  for (const key in o) if (!known.has(key)) c.free(o[key], [...path, key]);
}
