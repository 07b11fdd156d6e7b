import type { Finding } from "../notebook/finding.js";
import type { NotebookResult } from "./notebook-result.js";
import { sortResults } from "./sort-results.js";

/** A check-run annotation as the Checks API takes it. */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "failure" | "warning" | "notice";
  title: string;
  message: string;
}

/** GitHub stores up to 64 KB per message; findings are far shorter, but a hostile one must not fail the run. */
const MAX_MESSAGE = 4_000;

const LEVEL = { error: "failure", warning: "warning", info: "notice" } as const;
const RANK = { error: 0, warning: 1, info: 2 } as const;

/**
 * Turns findings into annotations on the `.ipynb` lines, most severe first, keeping at most
 * `cap`. Findings with no line go on line 1 so they still show on the file.
 */
export function buildAnnotations(results: readonly NotebookResult[], cap: number): { annotations: Annotation[]; total: number } {
  const all: Array<{ path: string; finding: Finding }> = [];
  for (const result of sortResults(results)) {
    if (result.status !== "checked") continue;
    for (const finding of result.report.findings) all.push({ path: result.path, finding });
  }
  // A stable sort keeps file and line order within each severity.
  all.sort((a, b) => RANK[a.finding.severity] - RANK[b.finding.severity]);
  const annotations = all.slice(0, Math.max(0, cap)).map(({ path, finding }): Annotation => {
    const line = finding.line !== undefined && finding.line >= 1 ? finding.line : 1;
    const annotation: Annotation = {
      path,
      start_line: line,
      end_line: line,
      annotation_level: LEVEL[finding.severity],
      title: finding.cell !== undefined ? `${finding.rule} (cell ${finding.cell + 1})` : finding.rule,
      message: finding.message.length > MAX_MESSAGE ? `${finding.message.slice(0, MAX_MESSAGE)}…` : finding.message || finding.rule,
    };
    if (finding.column !== undefined && finding.column >= 1) {
      annotation.start_column = finding.column;
      annotation.end_column = finding.column;
    }
    return annotation;
  });
  return { annotations, total: all.length };
}
