/** A parameter value: JSON data, plus the non-finite floats YAML can express (`.inf`, `.nan`). */
export type ParameterValue = null | boolean | number | string | ParameterValue[] | { [key: string]: ParameterValue };

/** The parts of an nbformat 4 notebook that injection reads or writes; everything else is kept as is. */
export interface NotebookV4 {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export interface InjectedNotebook {
  notebook: NotebookV4;
  /** Index of the injected cell in `notebook.cells`. */
  injectedIndex: number;
}

const PARAMETERS_TAG = "parameters";
const INJECTED_TAG = "injected-parameters";
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Python 3 keywords and the soft keywords that cannot be assigned to safely.
const PYTHON_KEYWORDS = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
  "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
  "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
]);

/** Tells whether `name` can be a parameter: an ASCII Python identifier that is not a keyword. */
export function isParameterName(name: string): boolean {
  return IDENTIFIER.test(name) && !PYTHON_KEYWORDS.has(name);
}

function tagsOf(cell: Record<string, unknown>): unknown[] {
  const metadata = cell.metadata;
  if (typeof metadata !== "object" || metadata === null) return [];
  const tags = (metadata as { tags?: unknown }).tags;
  return Array.isArray(tags) ? tags : [];
}

/**
 * Renders a value as a Python literal that evaluates to the same data. Strings are escaped
 * character by character, so no value can break out of its literal; nothing is ever evaluated.
 */
export function toPythonLiteral(value: ParameterValue): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string") return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(toPythonLiteral).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).map(([key, item]) => `${pythonString(key)}: ${toPythonLiteral(item)}`);
    return `{${entries.join(", ")}}`;
  }
  throw new TypeError(`Cannot render a ${typeof value} as a Python literal; parameters must be JSON data.`);
}

function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return 'float("nan")';
  if (value === Infinity) return 'float("inf")';
  if (value === -Infinity) return 'float("-inf")';
  if (Object.is(value, -0)) return "-0.0";
  // JavaScript prints the shortest round-trip form, which Python parses to the same double.
  const text = String(value);
  // An exponent form such as 1e+21 is a float in Python either way; integers stay ints.
  return text;
}

function pythonString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === "\\") out += "\\\\";
    else if (char === '"') out += '\\"';
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).padStart(2, "0")}`;
    // Line and paragraph separators, BOM and lone surrogates are escaped so the source stays one line of text.
    else if (code === 0x2028 || code === 0x2029 || code === 0xfeff || (code >= 0xd800 && code <= 0xdfff)) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else out += char;
  }
  return `${out}"`;
}

/** Metadata keeps the parameters as JSON; non-finite floats are recorded as their Python spelling. */
function toJsonRecord(value: ParameterValue): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  if (Array.isArray(value)) return value.map(toJsonRecord);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJsonRecord(item)]));
  }
  return value;
}

function uniqueId(taken: Set<string>, base: string): string {
  if (!taken.has(base)) return base;
  for (let n = 1; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * Injects parameters with papermill's semantics and returns a new notebook (the input is not
 * modified):
 * - any earlier cell tagged `injected-parameters` is removed, so a re-run replaces it;
 * - the new cell, tagged `injected-parameters`, goes right after the first cell tagged
 *   `parameters`, or at the top when there is none;
 * - the parameters are recorded in `metadata.nbtrain.parameters`.
 *
 * Throws a `TypeError` when a name is not a Python identifier or the notebook is not nbformat 4.
 */
export function injectParameters(notebook: NotebookV4, parameters: Record<string, ParameterValue>): InjectedNotebook {
  if (notebook.nbformat !== 4 || !Array.isArray(notebook.cells)) {
    throw new TypeError(`Parameters can only be injected into an nbformat 4 notebook (this one is nbformat ${notebook.nbformat}).`);
  }
  for (const name of Object.keys(parameters)) {
    if (!isParameterName(name)) {
      throw new TypeError(`Parameter name ${JSON.stringify(name)} is not a Python identifier; use letters, digits and _ only, not starting with a digit.`);
    }
  }

  const cells = notebook.cells.filter((cell) => !tagsOf(cell).includes(INJECTED_TAG));
  const anchor = cells.findIndex((cell) => tagsOf(cell).includes(PARAMETERS_TAG));
  const injectedIndex = anchor === -1 ? 0 : anchor + 1;

  const lines = ["# Parameters injected by nbtrain"];
  for (const [name, value] of Object.entries(parameters)) lines.push(`${name} = ${toPythonLiteral(value)}`);
  const source = lines.map((line, index) => (index < lines.length - 1 ? `${line}\n` : line));

  const cell: Record<string, unknown> = {
    cell_type: "code",
    execution_count: null,
    metadata: { tags: [INJECTED_TAG] },
    outputs: [],
    source,
  };
  // Cell ids exist from nbformat 4.5 on and must be unique; older minors must not carry one.
  if (notebook.nbformat_minor >= 5) {
    const taken = new Set(cells.map((c) => (typeof c.id === "string" ? c.id : "")));
    cell.id = uniqueId(taken, INJECTED_TAG);
  }
  cells.splice(injectedIndex, 0, cell);

  const previous = notebook.metadata?.nbtrain;
  const nbtrainMetadata = typeof previous === "object" && previous !== null ? previous : {};
  const recorded = Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, toJsonRecord(value)]));
  return {
    notebook: {
      ...notebook,
      metadata: { ...notebook.metadata, nbtrain: { ...nbtrainMetadata, parameters: recorded } },
      cells,
    },
    injectedIndex,
  };
}
