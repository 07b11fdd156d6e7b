import type { JsonPath } from "../finding.js";
import { checkNameAndTags } from "./check-name-and-tags.js";
import { describeType, isObject, quote, type JsonObject } from "./python-values.js";
import { SchemaChecker, where } from "./schema-checker.js";

const TOP_KEYS = new Set(["metadata", "nbformat_minor", "nbformat", "orig_nbformat", "orig_nbformat_minor", "worksheets"]);
const WORKSHEET_KEYS = new Set(["cells", "metadata"]);
const CELL_TYPES = ["raw", "markdown", "html", "heading", "code"];
const CELL_KEYS: Record<string, ReadonlySet<string>> = {
  raw: new Set(["cell_type", "metadata", "source"]),
  markdown: new Set(["cell_type", "metadata", "source"]),
  heading: new Set(["cell_type", "metadata", "source", "level"]),
  code: new Set(["cell_type", "language", "collapsed", "metadata", "input", "outputs", "prompt_number"]),
};
const CELL_REQUIRED: Record<string, readonly string[]> = {
  raw: ["cell_type", "source"],
  markdown: ["cell_type", "source"],
  heading: ["cell_type", "source", "level"],
  code: ["cell_type", "input", "outputs", "language"],
};
const OUTPUT_TYPES = ["pyout", "display_data", "stream", "pyerr"];
const MIME_KEYS = new Set(["output_type", "text", "latex", "png", "jpeg", "svg", "html", "javascript", "json", "pdf", "metadata"]);
const PYOUT_KEYS = new Set([...MIME_KEYS, "prompt_number"]);
/** patternProperties of pyout (anchored) and display_data (not anchored), with Python `$`. */
const PYOUT_MIME = /^[a-zA-Z0-9]+\/[a-zA-Z0-9\-+.]+\n?$/;
const DISPLAY_MIME = /[a-zA-Z0-9]+\/[a-zA-Z0-9\-+.]+\n?$/;
const MULTILINE_MIME_KEYS = ["text", "latex", "png", "jpeg", "svg", "html", "javascript", "json", "pdf"];

/** Validates a v3.0 notebook as nbformat 5.5.0 does after `reads(..., NO_CONVERT)`. */
export function checkV3(nb: JsonObject, c: SchemaChecker): void {
  c.required(nb, ["metadata", "nbformat_minor", "nbformat", "worksheets"], [], "a v3 notebook");
  c.onlyKeys(nb, TOP_KEYS, [], "a v3 notebook");
  if ("orig_nbformat" in nb) c.integer(nb.orig_nbformat, ["orig_nbformat"], 1, false);
  if ("orig_nbformat_minor" in nb) c.integer(nb.orig_nbformat_minor, ["orig_nbformat_minor"], 0, false);
  if ("metadata" in nb && c.object(nb.metadata, ["metadata"])) {
    const md = nb.metadata;
    if ("kernel_info" in md) {
      const p: JsonPath = ["metadata", "kernel_info"];
      const ki = md.kernel_info;
      if (c.object(ki, p)) {
        c.required(ki, ["name", "language"], p, "kernel_info");
        for (const key of ["name", "language", "codemirror_mode"]) if (key in ki) c.string(ki[key], [...p, key]);
      }
    }
    if ("signature" in md) c.string(md.signature, ["metadata", "signature"]);
    c.free(md, ["metadata"]);
  }
  if (!("worksheets" in nb) || !c.array(nb.worksheets, ["worksheets"])) return;
  const sheets = nb.worksheets;
  for (let w = 0; w < sheets.length; w++) {
    const ws = sheets[w];
    const p: JsonPath = ["worksheets", w];
    // The schema gives a worksheet no type, but the reader reads its `cells`.
    if (!c.object(ws, p)) continue;
    c.required(ws, ["cells"], p, "a worksheet");
    c.onlyKeys(ws, WORKSHEET_KEYS, p, "a worksheet");
    if ("metadata" in ws && c.object(ws.metadata, [...p, "metadata"])) c.free(ws.metadata, [...p, "metadata"]);
    if (!("cells" in ws) || !c.array(ws.cells, [...p, "cells"])) continue;
    const cells = ws.cells;
    for (let i = 0; i < cells.length; i++) checkCell(cells[i], [...p, "cells", i], c);
  }
}

function checkCell(cell: unknown, path: JsonPath, c: SchemaChecker): void {
  if (!c.object(cell, path)) return;
  if (!("cell_type" in cell)) {
    c.fail(path, `${where(path)} is missing "cell_type": add one of ${CELL_TYPES.join(", ")}.`);
    return;
  }
  const given = cell.cell_type;
  if (typeof given !== "string" || !CELL_TYPES.includes(given)) {
    c.fail(
      [...path, "cell_type"],
      `${where([...path, "cell_type"])} ${typeof given === "string" ? quote(given) : describeType(given)} is not one of ${CELL_TYPES.join(", ")}: fix the cell type or remove the cell.`,
    );
    return;
  }
  const type = given === "html" ? "markdown" : given;
  const what = `a v3 ${given} cell`;
  c.required(cell, CELL_REQUIRED[type] as readonly string[], path, what);
  c.onlyKeys(cell, CELL_KEYS[type] as ReadonlySet<string>, path, what);
  if ("metadata" in cell && c.object(cell.metadata, [...path, "metadata"])) c.free(cell.metadata, [...path, "metadata"]);
  if (isObject(cell.metadata) && type !== "heading" && type !== "code") {
    const md = cell.metadata;
    const p = [...path, "metadata"];
    if (type === "raw" && "format" in md) c.string(md.format, [...p, "format"]);
    checkNameAndTags(md, p, c);
  }
  if (type !== "code") {
    if ("source" in cell) c.multiline(cell.source, [...path, "source"]);
    if (type === "heading" && "level" in cell) c.integer(cell.level, [...path, "level"], 1, false);
    return;
  }
  if ("language" in cell) c.string(cell.language, [...path, "language"]);
  if ("collapsed" in cell) c.boolean(cell.collapsed, [...path, "collapsed"]);
  if ("input" in cell) c.multiline(cell.input, [...path, "input"]);
  if ("prompt_number" in cell) c.integer(cell.prompt_number, [...path, "prompt_number"], 0, true);
  if ("outputs" in cell && c.array(cell.outputs, [...path, "outputs"])) {
    const outputs = cell.outputs;
    for (let k = 0; k < outputs.length; k++) checkOutput(outputs[k], [...path, "outputs", k], c);
  }
}

function checkOutput(output: unknown, path: JsonPath, c: SchemaChecker): void {
  if (!c.object(output, path)) return;
  if (!("output_type" in output)) {
    c.fail(path, `${where(path)} is missing "output_type": add one of ${OUTPUT_TYPES.join(", ")}, or remove the output.`);
    return;
  }
  const type = output.output_type;
  if (typeof type !== "string" || !OUTPUT_TYPES.includes(type)) {
    c.fail(
      [...path, "output_type"],
      `${where([...path, "output_type"])} ${typeof type === "string" ? quote(type) : describeType(type)} is not one of ${OUTPUT_TYPES.join(", ")}: fix or remove the output.`,
    );
    return;
  }
  const what = `a v3 ${type} output`;
  if (type === "stream") {
    c.required(output, ["output_type", "stream", "text"], path, what);
    c.onlyKeys(output, new Set(["output_type", "stream", "text"]), path, what);
    if ("stream" in output) c.string(output.stream, [...path, "stream"]);
    if ("text" in output) c.multiline(output.text, [...path, "text"]);
    return;
  }
  if (type === "pyerr") {
    c.required(output, ["output_type", "ename", "evalue", "traceback"], path, what);
    c.onlyKeys(output, new Set(["output_type", "ename", "evalue", "traceback"]), path, what);
    if ("ename" in output) c.string(output.ename, [...path, "ename"]);
    if ("evalue" in output) c.string(output.evalue, [...path, "evalue"]);
    if ("traceback" in output && c.array(output.traceback, [...path, "traceback"])) c.stringItems(output.traceback, [...path, "traceback"]);
    return;
  }
  const pyout = type === "pyout";
  const pattern = pyout ? PYOUT_MIME : DISPLAY_MIME;
  c.required(output, pyout ? ["output_type", "prompt_number"] : ["output_type"], path, what);
  c.onlyKeys(output, pyout ? PYOUT_KEYS : MIME_KEYS, path, what, (key) => pattern.test(key));
  if (pyout && "prompt_number" in output) c.integer(output.prompt_number, [...path, "prompt_number"], 0, false);
  if ("metadata" in output && c.object(output.metadata, [...path, "metadata"])) c.free(output.metadata, [...path, "metadata"]);
  for (const key in output) {
    if (MULTILINE_MIME_KEYS.includes(key) || pattern.test(key)) c.multiline(output[key], [...path, key]);
  }
}
