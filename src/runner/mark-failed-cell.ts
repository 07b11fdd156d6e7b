import type { NotebookV4 } from "../notebook/inject-parameters.js";

/** The tag papermill gives its error markers; tools that strip papermill's markers strip these too. */
export const ERROR_MARKER_TAG = "papermill-error-cell-tag";
const ANCHOR = "nbtrain-error-cell";
const STYLE = 'style="color:red; font-family:Helvetica Neue, Helvetica, Arial, sans-serif; font-size:2em;"';

function freshId(taken: Set<string>, base: string): string {
  let id = base;
  for (let n = 1; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/**
 * Marks the cell that stopped a run the way papermill does: a red banner at the top that links to
 * the failing cell, and a red anchor cell right before it. `cellIndex` indexes `notebook.cells`.
 */
export function markFailedCell(notebook: NotebookV4, cellIndex: number): NotebookV4 {
  const failing = notebook.cells[cellIndex];
  if (!failing) return notebook;
  const count = typeof failing.execution_count === "number" ? String(failing.execution_count) : " ";
  const taken = new Set(notebook.cells.map((cell) => (typeof cell.id === "string" ? cell.id : "")));
  const withIds = notebook.nbformat_minor >= 5;
  const markdown = (source: string, base: string): Record<string, unknown> => ({
    cell_type: "markdown",
    ...(withIds ? { id: freshId(taken, base) } : {}),
    metadata: { tags: [ERROR_MARKER_TAG] },
    source,
  });
  const banner = markdown(`<span ${STYLE}>An Exception was encountered at '<a href="#${ANCHOR}">In [${count}]</a>'.</span>`, "nbtrain-error-banner");
  const anchor = markdown(`<span id="${ANCHOR}" ${STYLE}>Execution using nbtrain encountered an exception here and stopped:</span>`, ANCHOR);
  const cells = [banner, ...notebook.cells.slice(0, cellIndex), anchor, ...notebook.cells.slice(cellIndex)];
  return { ...notebook, cells };
}
