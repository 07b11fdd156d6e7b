import type { JsonPath } from "../finding.js";

export type JsonObject = Record<string, unknown>;

/** A string field as nbformat joins it (a list of strings is concatenated), with where it lives. */
export interface TextField {
  path: JsonPath;
  text: string;
}

export interface OutputView {
  path: JsonPath;
  /** `output_type`, or null when it is missing or not a string. */
  type: string | null;
  value: JsonObject;
}

export interface CellView {
  /** 0-based, counted across v3 worksheets. */
  index: number;
  path: JsonPath;
  type: string | null;
  /** `source` (v4, and v3 text cells) or `input` (v3 code cells); null when absent or not text. */
  source: TextField | null;
  /** `execution_count` (v4) or `prompt_number` (v3) when it is an integer. */
  executionCount: number | null;
  outputs: OutputView[];
  metadata: JsonObject | null;
  value: JsonObject;
}

/** The parts of a notebook the rules read, extracted defensively from any JSON value. */
export interface NotebookView {
  /** `nbformat` when it is an integer. */
  major: number | null;
  metadata: JsonObject | null;
  cells: CellView[];
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Joins a multiline string the way nbformat does; null for anything that is not text. */
export function joinText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return null;
  // Anything that is not a string is skipped, as the locator skips it when counting lines.
  return value.every((part) => typeof part === "string") ? value.join("") : value.filter((part) => typeof part === "string").join("");
}

export function textField(path: JsonPath, value: unknown): TextField | null {
  const text = joinText(value);
  return text === null ? null : { path, text };
}

/**
 * Reads the cells of a v4 notebook (`cells`) or of a v3 one (`worksheets[].cells`). Never throws:
 * anything of the wrong shape is skipped, because lint also runs on schema-invalid notebooks.
 */
export function viewNotebook(notebook: JsonObject): NotebookView {
  const major = Number.isInteger(notebook.nbformat) ? (notebook.nbformat as number) : null;
  const metadata = isObject(notebook.metadata) ? notebook.metadata : null;
  const cells: CellView[] = [];
  if (Array.isArray(notebook.cells)) {
    notebook.cells.forEach((cell, i) => {
      if (isObject(cell)) cells.push(viewCell(cell, ["cells", i], i));
    });
  } else if (Array.isArray(notebook.worksheets)) {
    let index = 0;
    notebook.worksheets.forEach((worksheet, w) => {
      const list = isObject(worksheet) ? worksheet.cells : undefined;
      if (!Array.isArray(list)) return;
      list.forEach((cell, i) => {
        if (isObject(cell)) cells.push(viewCell(cell, ["worksheets", w, "cells", i], index + i));
      });
      index += list.length;
    });
  }
  return { major, metadata, cells };
}

function viewCell(cell: JsonObject, path: JsonPath, index: number): CellView {
  const type = typeof cell.cell_type === "string" ? cell.cell_type : null;
  const sourceKey = "source" in cell ? "source" : "input";
  const count = "execution_count" in cell ? cell.execution_count : cell.prompt_number;
  const outputs: OutputView[] = [];
  if (Array.isArray(cell.outputs)) {
    cell.outputs.forEach((output, o) => {
      if (!isObject(output)) return;
      const outputType = typeof output.output_type === "string" ? output.output_type : null;
      outputs.push({ path: [...path, "outputs", o], type: outputType, value: output });
    });
  }
  return {
    index,
    path,
    type,
    source: textField([...path, sourceKey], cell[sourceKey]),
    executionCount: Number.isInteger(count) ? (count as number) : null,
    outputs,
    metadata: isObject(cell.metadata) ? cell.metadata : null,
    value: cell,
  };
}

/** The tags of a cell, ignoring anything that is not a string. */
export function cellTags(cell: CellView): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

/**
 * The mime bundles of an output with the path of each: `data` in v4, and in v3 the output
 * itself, whose keys are short names (`png`, `text`, `html`) next to `output_type` and friends.
 */
export function mimeEntries(output: OutputView): Array<{ mime: string; path: JsonPath; value: unknown }> {
  const entries: Array<{ mime: string; path: JsonPath; value: unknown }> = [];
  const data = output.value.data;
  if (isObject(data)) {
    for (const [mime, value] of Object.entries(data)) entries.push({ mime, path: [...output.path, "data", mime], value });
  }
  if (output.type === "pyout" || output.type === "display_data") {
    for (const [key, mime] of Object.entries(V3_MIME_KEYS)) {
      if (key in output.value) entries.push({ mime, path: [...output.path, key], value: output.value[key] });
    }
  }
  return entries;
}

/** v3 stores representations under short keys; these are their mime types. */
const V3_MIME_KEYS: Record<string, string> = {
  text: "text/plain",
  html: "text/html",
  markdown: "text/markdown",
  latex: "text/latex",
  svg: "image/svg+xml",
  png: "image/png",
  jpeg: "image/jpeg",
  pdf: "application/pdf",
  javascript: "application/javascript",
  json: "application/json",
};

/** `attachments` of a markdown or raw cell, as mime entries. */
export function attachmentEntries(cell: CellView): Array<{ mime: string; path: JsonPath; value: unknown }> {
  const entries: Array<{ mime: string; path: JsonPath; value: unknown }> = [];
  const attachments = cell.value.attachments;
  if (!isObject(attachments)) return entries;
  for (const [name, bundle] of Object.entries(attachments)) {
    if (!isObject(bundle)) continue;
    for (const [mime, value] of Object.entries(bundle)) entries.push({ mime, path: [...cell.path, "attachments", name, mime], value });
  }
  return entries;
}

/** Splits on "\n" only, as the 0-based `lineInValue` of a finding counts lines. */
export function splitLines(text: string): string[] {
  return text.split("\n");
}
