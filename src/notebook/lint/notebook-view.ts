import type { JsonPath } from "../finding.js";

export type JsonObject = Record<string, unknown>;

/** A string field as nbformat joins it (a list of strings is concatenated), with where it lives. */
export interface TextField {
  path: JsonPath;
  text: string;
  /** The field as stored: a string, or an array whose strings `text` joins. */
  value: unknown;
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
  outputs: readonly OutputView[];
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
  // An indexed loop: a callback per line (`every`) costs more than the join in unoptimized code.
  for (let k = 0; k < value.length; k++) {
    if (typeof value[k] !== "string") return value.filter((part) => typeof part === "string").join("");
  }
  return value.join("");
}

export function textField(path: JsonPath, value: unknown): TextField | null {
  const text = joinText(value);
  return text === null ? null : { path, text, value };
}

/**
 * A source field whose path and joined text are built on first use: a notebook has thousands of
 * them and the rules report few, so paths built up front would be most of what linting
 * allocates. The text is joined once and shared: several rules search every source, and native
 * searches of one string cost less than a loop over its lines in the unoptimized code they run as.
 */
class LazyTextField implements TextField {
  private joined: string | null = null;
  private location: JsonPath | null = null;

  constructor(
    private readonly cell: CellView,
    private readonly key: string,
    readonly value: string | unknown[],
  ) {}

  get path(): JsonPath {
    return (this.location ??= [...this.cell.path, this.key]);
  }

  get text(): string {
    return (this.joined ??= joinText(this.value) as string);
  }
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
    const list = notebook.cells;
    for (let i = 0; i < list.length; i++) {
      const cell: unknown = list[i];
      if (isObject(cell)) cells.push(new LazyCell(cell, i, -1, i));
    }
  } else if (Array.isArray(notebook.worksheets)) {
    let index = 0;
    notebook.worksheets.forEach((worksheet, w) => {
      const list = isObject(worksheet) ? worksheet.cells : undefined;
      if (!Array.isArray(list)) return;
      list.forEach((cell, i) => {
        if (isObject(cell)) cells.push(new LazyCell(cell, index + i, w, i));
      });
      index += list.length;
    });
  }
  return { major, metadata, cells };
}

const NO_OUTPUTS: readonly OutputView[] = [];

/** A cell whose paths are built on first use (see LazyTextField). */
class LazyCell implements CellView {
  readonly type: string | null;
  readonly source: TextField | null;
  readonly executionCount: number | null;
  readonly outputs: readonly OutputView[];
  readonly metadata: JsonObject | null;
  private location: JsonPath | null = null;

  constructor(
    readonly value: JsonObject,
    readonly index: number,
    /** The v3 worksheet, or -1 in v4. */
    private readonly worksheet: number,
    /** Position in `cells` (of the worksheet in v3). */
    private readonly position: number,
  ) {
    const cell = value;
    this.type = typeof cell.cell_type === "string" ? cell.cell_type : null;
    const sourceKey = "source" in cell ? "source" : "input";
    const source = cell[sourceKey];
    this.source = typeof source === "string" || Array.isArray(source) ? new LazyTextField(this, sourceKey, source) : null;
    const count = "execution_count" in cell ? cell.execution_count : cell.prompt_number;
    this.executionCount = Number.isInteger(count) ? (count as number) : null;
    // Text cells and cells never run have no outputs: they share one empty list.
    let views: OutputView[] | null = null;
    if (Array.isArray(cell.outputs)) {
      const outputs = cell.outputs;
      for (let o = 0; o < outputs.length; o++) {
        const output: unknown = outputs[o];
        if (isObject(output)) (views ??= []).push(new LazyOutput(this, o, output));
      }
    }
    this.outputs = views ?? NO_OUTPUTS;
    this.metadata = isObject(cell.metadata) ? cell.metadata : null;
  }

  get path(): JsonPath {
    return (this.location ??= this.worksheet < 0 ? ["cells", this.position] : ["worksheets", this.worksheet, "cells", this.position]);
  }
}

class LazyOutput implements OutputView {
  readonly type: string | null;
  private location: JsonPath | null = null;

  constructor(
    private readonly cell: CellView,
    private readonly position: number,
    readonly value: JsonObject,
  ) {
    this.type = typeof value.output_type === "string" ? value.output_type : null;
  }

  get path(): JsonPath {
    return (this.location ??= [...this.cell.path, "outputs", this.position]);
  }
}

/** The tags of a cell, ignoring anything that is not a string. */
export function cellTags(cell: CellView): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

/**
 * The mime bundles of an output (those whose type starts with `mimePrefix`) with the path of each: `data` in v4, and in v3 the output
 * itself, whose keys are short names (`png`, `text`, `html`) next to `output_type` and friends.
 */
export function mimeEntries(output: OutputView, mimePrefix = ""): readonly MimeEntry[] {
  // Most outputs have no entry of the wanted type: the list is only made for one that does.
  let entries: MimeEntry[] | null = null;
  const data = output.value.data;
  if (isObject(data)) {
    for (const mime in data) {
      if (mime.startsWith(mimePrefix)) (entries ??= []).push(new LazyMimeEntry(output, "data", mime, mime, data[mime]));
    }
  }
  if (output.type === "pyout" || output.type === "display_data") {
    for (let k = 0; k < V3_MIME_KEYS.length; k++) {
      // Indexed, not destructured: destructuring an array steps an iterator in unoptimized code.
      const pair = V3_MIME_KEYS[k] as readonly [string, string];
      const mime = pair[1];
      if (mime.startsWith(mimePrefix) && pair[0] in output.value) (entries ??= []).push(new LazyMimeEntry(output, null, pair[0], mime, output.value[pair[0]]));
    }
  }
  return entries ?? NO_ENTRIES;
}

const NO_ENTRIES: readonly MimeEntry[] = [];

export interface MimeEntry {
  mime: string;
  path: JsonPath;
  value: unknown;
}

/** A mime entry whose path is built on first use: rules read the path of a few, to report them. */
class LazyMimeEntry implements MimeEntry {
  private location: JsonPath | null = null;

  constructor(
    private readonly owner: { readonly path: JsonPath },
    /** `data` in v4; null in v3, where the entry sits in the output itself. */
    private readonly bundle: string | null,
    private readonly key: string,
    readonly mime: string,
    readonly value: unknown,
  ) {}

  get path(): JsonPath {
    return (this.location ??= this.bundle === null ? [...this.owner.path, this.key] : [...this.owner.path, this.bundle, this.key]);
  }
}

/** v3 stores representations under short keys; these are their mime types. */
const V3_MIME_KEYS: ReadonlyArray<readonly [string, string]> = [
  ["text", "text/plain"],
  ["html", "text/html"],
  ["markdown", "text/markdown"],
  ["latex", "text/latex"],
  ["svg", "image/svg+xml"],
  ["png", "image/png"],
  ["jpeg", "image/jpeg"],
  ["pdf", "application/pdf"],
  ["javascript", "application/javascript"],
  ["json", "application/json"],
];

/** `attachments` of a markdown or raw cell, as mime entries (those whose type starts with `mimePrefix`). */
export function attachmentEntries(cell: CellView, mimePrefix = ""): MimeEntry[] {
  const entries: MimeEntry[] = [];
  const attachments = cell.value.attachments;
  if (!isObject(attachments)) return entries;
  for (const [name, bundle] of Object.entries(attachments)) {
    if (!isObject(bundle)) continue;
    for (const [mime, value] of Object.entries(bundle)) {
      if (mime.startsWith(mimePrefix)) entries.push({ mime, path: [...cell.path, "attachments", name, mime], value });
    }
  }
  return entries;
}

/** Splits on "\n" only, as the 0-based `lineInValue` of a finding counts lines. */
export function splitLines(text: string): string[] {
  return text.split("\n");
}
