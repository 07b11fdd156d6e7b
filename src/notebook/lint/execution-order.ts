import type { LintRule } from "./lint-rule.js";
import type { CellView } from "./notebook-view.js";

/**
 * Flags a notebook whose code cells ran out of document order (execution counts that do not
 * increase, ignoring cells never run). Reported once, at the first cell out of order: it is one
 * problem with one fix. Info by default because exploratory work is often out of order and the
 * runner re-executes from the top anyway; config can raise it.
 */
export const executionOrderRule: LintRule = {
  id: "execution-order",
  defaultSeverity: "info",
  summary: "Code cells executed out of order (execution counts not increasing top to bottom)",
  check({ notebook }) {
    let previous: number | null = null;
    let first: { path: readonly (string | number)[]; count: number; previous: number } | null = null;
    let outOfOrder = 0;
    const cells = notebook.cells;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as CellView;
      if (cell.type !== "code" || cell.executionCount === null) continue;
      if (previous !== null && cell.executionCount <= previous) {
        outOfOrder++;
        first ??= { path: [...cell.path, "execution_count" in cell.value ? "execution_count" : "prompt_number"], count: cell.executionCount, previous };
      }
      previous = cell.executionCount;
    }
    if (!first) return [];
    const others = outOfOrder > 1 ? ` (${outOfOrder} cells in all)` : "";
    return [
      {
        rule: "execution-order",
        severity: "info",
        message:
          `Cells ran out of order: this cell has execution count ${first.count} after ${first.previous}${others}, ` +
          "so the saved outputs may not match a top-to-bottom run. Restart the kernel and run all cells before committing, or clear all outputs.",
        path: first.path,
      },
    ];
  },
};
