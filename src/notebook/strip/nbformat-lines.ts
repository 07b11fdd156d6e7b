/**
 * nbformat 4 keeps multi-line strings as lists of lines in the file and as one string in memory.
 * These mirror its reader (`rejoin_lines`, `strip_transient`) and writer (`split_lines`,
 * `strip_transient`) step for step, so that a rewritten notebook is what nbformat would write.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

const isJsonMime = (mime: string): boolean => mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));

/** Mime types other than text/* that nbformat also writes as lists of lines. */
const SPLIT_MIMES = new Set(["application/javascript", "image/svg+xml"]);

function rejoinBundle(data: unknown): void {
  if (!isObject(data)) return;
  for (const [key, value] of Object.entries(data)) {
    if (!isJsonMime(key) && Array.isArray(value) && value.every((line) => typeof line === "string")) data[key] = value.join("");
  }
}

function splitBundle(data: unknown): void {
  if (!isObject(data)) return;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === "string" && (key.startsWith("text/") || SPLIT_MIMES.has(key))) data[key] = splitLines(value);
  }
}

/** Python's `str.splitlines(True)`: every line boundary Python knows, each kept on its line. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])|[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+$/g) ?? [];
}

function cellsOf(nb: Json): Json[] {
  return Array.isArray(nb["cells"]) ? nb["cells"].filter(isObject) : [];
}

function attachmentsOf(cell: Json): unknown[] {
  return isObject(cell["attachments"]) ? Object.values(cell["attachments"]) : [];
}

function outputsOf(cell: Json): Json[] {
  return Array.isArray(cell["outputs"]) ? cell["outputs"].filter(isObject) : [];
}

/** `strip_transient`: values that never belong in a file, dropped on read and on write. */
export function stripTransient(nb: Json): void {
  const metadata = nb["metadata"];
  if (isObject(metadata)) for (const key of ["orig_nbformat", "orig_nbformat_minor", "signature"]) delete metadata[key];
  for (const cell of cellsOf(nb)) if (isObject(cell["metadata"])) delete cell["metadata"]["trusted"];
}

/** What nbformat's reader does after `json.loads`: lists of lines become strings. */
export function rejoinLines(nb: Json): void {
  for (const cell of cellsOf(nb)) {
    const source = cell["source"];
    if (Array.isArray(source)) cell["source"] = source.join("");
    for (const attachment of attachmentsOf(cell)) rejoinBundle(attachment);
    if (cell["cell_type"] !== "code") continue;
    for (const output of outputsOf(cell)) {
      const type = output["output_type"];
      if (type === "execute_result" || type === "display_data") rejoinBundle(output["data"]);
      else if (typeof type === "string" && type !== "" && Array.isArray(output["text"])) output["text"] = output["text"].join("");
    }
  }
}

/** What nbformat's writer does before `json.dumps`: multi-line strings become lists of lines. */
export function splitNotebookLines(nb: Json): void {
  for (const cell of cellsOf(nb)) {
    if (typeof cell["source"] === "string") cell["source"] = splitLines(cell["source"]);
    for (const attachment of attachmentsOf(cell)) splitBundle(attachment);
    if (cell["cell_type"] !== "code") continue;
    for (const output of outputsOf(cell)) {
      const type = output["output_type"];
      if (type === "execute_result" || type === "display_data") splitBundle(output["data"]);
      else if (type === "stream" && typeof output["text"] === "string") output["text"] = splitLines(output["text"]);
    }
  }
}
