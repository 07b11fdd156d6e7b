/**
 * What changed in a notebook between two versions, at the level of cells. Reviewers care most
 * whether anything but outputs moved, so source edits and output-only changes are counted apart.
 */
export type ChangeSummary =
  | {
      kind: "added";
      cellsAfter: number;
    }
  | {
      kind: "modified";
      cellsBefore: number;
      cellsAfter: number;
      added: number;
      removed: number;
      /** Matched cells whose source or cell type changed (their outputs may have changed too). */
      sourceEdited: number;
      /** Matched cells with the same source whose outputs or execution count changed. */
      outputsOnly: number;
      /** Matched cells where only the cell's metadata changed. */
      metadataOnly: number;
      /** Top-level notebook metadata (kernelspec, widgets, …) differs. */
      notebookMetadataChanged: boolean;
      /** How cells were paired: by nbformat 4.5 cell ids when both sides have them, else by source. */
      matchedBy: "id" | "source";
    }
  | {
      kind: "unreadable";
      /** Which side could not be read as a notebook, and why. */
      reason: string;
    };

interface Cell {
  id: string | undefined;
  type: string;
  source: string;
  /** Outputs and execution count, as parsed; compared structurally. */
  outputs: unknown;
  metadata: unknown;
}

/** Above this many cell comparisons the alignment falls back to pairing cells by position. */
const MAX_ALIGNMENT_CELLS = 4_000_000;

/**
 * Compares two notebook versions. `base` is null when the notebook is new. Cells are matched by
 * id when every cell on both sides has a unique id; otherwise by a longest-common-subsequence
 * alignment on (cell type, source), pairing the unmatched cells of each gap in order as edits.
 */
export function summarizeChanges(base: string | Uint8Array | null, head: string | Uint8Array): ChangeSummary {
  const after = readCells(head);
  if (typeof after === "string") return { kind: "unreadable", reason: `head version: ${after}` };
  if (base === null) return { kind: "added", cellsAfter: after.cells.length };
  const before = readCells(base);
  if (typeof before === "string") return { kind: "unreadable", reason: `base version: ${before}` };

  const byId = uniqueIds(before.cells) && uniqueIds(after.cells);
  const pairs = byId ? pairById(before.cells, after.cells) : pairBySource(before.cells, after.cells);
  let sourceEdited = 0;
  let outputsOnly = 0;
  let metadataOnly = 0;
  for (const [a, b] of pairs) {
    if (a.type !== b.type || a.source !== b.source) sourceEdited++;
    else if (!sameJson(a.outputs, b.outputs)) outputsOnly++;
    else if (!sameJson(a.metadata, b.metadata)) metadataOnly++;
  }
  return {
    kind: "modified",
    cellsBefore: before.cells.length,
    cellsAfter: after.cells.length,
    added: after.cells.length - pairs.length,
    removed: before.cells.length - pairs.length,
    sourceEdited,
    outputsOnly,
    metadataOnly,
    notebookMetadataChanged: !sameJson(before.metadata, after.metadata),
    matchedBy: byId ? "id" : "source",
  };
}

function readCells(input: string | Uint8Array): { cells: Cell[]; metadata: unknown } | string {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof input === "string" ? input : new TextDecoder().decode(input));
  } catch {
    return "not valid JSON";
  }
  if (!isRecord(doc)) return "not a JSON object";
  let raw: unknown[];
  if (Array.isArray(doc.cells)) {
    raw = doc.cells;
  } else if (Array.isArray(doc.worksheets)) {
    // nbformat 3 keeps cells in worksheets; code cells hold their source in `input`.
    raw = doc.worksheets.flatMap((sheet: unknown) => (isRecord(sheet) && Array.isArray(sheet.cells) ? sheet.cells : []));
  } else {
    return "no cells";
  }
  return { cells: raw.map(toCell), metadata: doc.metadata ?? null };
}

function toCell(value: unknown): Cell {
  const cell = isRecord(value) ? value : {};
  return {
    id: typeof cell.id === "string" ? cell.id : undefined,
    type: typeof cell.cell_type === "string" ? cell.cell_type : "",
    source: joinText(cell.source ?? cell.input),
    outputs: [cell.outputs ?? null, cell.execution_count ?? cell.prompt_number ?? null],
    metadata: cell.metadata ?? null,
  };
}

function joinText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map((part) => (typeof part === "string" ? part : "")).join("");
  return "";
}

/**
 * Structural equality of two parsed JSON values, ignoring key order. It stops at the first
 * difference and builds no strings, which matters for notebooks with megabytes of outputs.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  for (const key of keysA) {
    if (!Object.hasOwn(b, key) || !sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function uniqueIds(cells: Cell[]): boolean {
  const seen = new Set<string>();
  for (const cell of cells) {
    if (cell.id === undefined || seen.has(cell.id)) return false;
    seen.add(cell.id);
  }
  return true;
}

function pairById(before: Cell[], after: Cell[]): Array<[Cell, Cell]> {
  const byId = new Map(before.map((cell) => [cell.id, cell]));
  const pairs: Array<[Cell, Cell]> = [];
  for (const cell of after) {
    const match = byId.get(cell.id);
    if (match) pairs.push([match, cell]);
  }
  return pairs;
}

function pairBySource(before: Cell[], after: Cell[]): Array<[Cell, Cell]> {
  const key = (cell: Cell): string => `${cell.type}\u0000${cell.source}`;
  const pairs: Array<[Cell, Cell]> = [];
  let start = 0;
  while (start < before.length && start < after.length && key(before[start]!) === key(after[start]!)) {
    pairs.push([before[start]!, after[start]!]);
    start++;
  }
  let endA = before.length;
  let endB = after.length;
  const tail: Array<[Cell, Cell]> = [];
  while (endA > start && endB > start && key(before[endA - 1]!) === key(after[endB - 1]!)) {
    endA--;
    endB--;
    tail.push([before[endA]!, after[endB]!]);
  }
  const midA = before.slice(start, endA);
  const midB = after.slice(start, endB);
  const anchors = midA.length * midB.length <= MAX_ALIGNMENT_CELLS ? longestCommonSubsequence(midA.map(key), midB.map(key)) : [];
  // Between two anchors, the cells left on both sides are taken as edits of each other, in order.
  let i = 0;
  let j = 0;
  for (const [ai, bj] of [...anchors, [midA.length, midB.length] as [number, number]]) {
    const edits = Math.min(ai - i, bj - j);
    for (let k = 0; k < edits; k++) pairs.push([midA[i + k]!, midB[j + k]!]);
    if (ai < midA.length) pairs.push([midA[ai]!, midB[bj]!]);
    i = ai + 1;
    j = bj + 1;
  }
  return pairs.concat(tail.reverse());
}

/** Index pairs of one longest common subsequence, in order. */
function longestCommonSubsequence(a: string[], b: string[]): Array<[number, number]> {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return [];
  // lengths[i][j] = LCS length of a[i:] and b[j:], in one flat array.
  const width = m + 1;
  const lengths = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j] ? lengths[(i + 1) * width + j + 1]! + 1 : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const result: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      result.push([i, j]);
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      i++;
    } else {
      j++;
    }
  }
  return result;
}
