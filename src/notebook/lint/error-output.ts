import type { Finding } from "../finding.js";
import type { LintRule } from "./lint-rule.js";
import { cellTags, joinText, type CellView, type OutputView } from "./notebook-view.js";

const TRACEBACK = "Traceback (most recent call last)";

/** Exception class names are safe to show; anything longer or odd is left out. */
function exceptionName(value: unknown): string | null {
  return typeof value === "string" && /^[A-Za-z_][\w.]{0,79}$/.test(value) ? value : null;
}

/**
 * Flags committed tracebacks: `error` outputs (v3 `pyerr`) and stderr streams that print one.
 * Cells tagged `raises-exception` (the Jupyter Book and nbval convention) show errors on purpose.
 */
export const errorOutputRule: LintRule = {
  id: "error-output",
  defaultSeverity: "warning",
  summary: "Committed tracebacks: error outputs, and stderr streams that print one",
  check({ notebook }) {
    const findings: Finding[] = [];
    const cells = notebook.cells;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as CellView;
      if (cell.outputs.length === 0 || cellTags(cell).includes("raises-exception")) continue;
      for (let o = 0; o < cell.outputs.length; o++) {
        const output = cell.outputs[o] as OutputView;
        let name: string | null = null;
        if (output.type === "error" || output.type === "pyerr") {
          name = exceptionName(output.value.ename) ?? "an exception";
        } else if (output.type === "stream") {
          const stream = output.value.name ?? output.value.stream;
          if (stream !== "stderr" || !joinText(output.value.text)?.includes(TRACEBACK)) continue;
          name = "a traceback on stderr";
        } else continue;
        findings.push({
          rule: "error-output",
          severity: "warning",
          message:
            `This cell's committed output shows ${name}. Fix the error and re-run the notebook, or clear the output; ` +
            'if the error is intended, tag the cell "raises-exception".',
          path: output.path,
        });
      }
    }
    return findings;
  },
};
