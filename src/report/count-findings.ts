import type { NotebookResult } from "./notebook-result.js";

/** Error, warning and info counts of one result (zero for skipped notebooks). */
export function countFindings(result: NotebookResult): { errors: number; warnings: number; infos: number } {
  const counts = { errors: 0, warnings: 0, infos: 0 };
  if (result.status !== "checked") return counts;
  for (const finding of result.report.findings) {
    if (finding.severity === "error") counts.errors++;
    else if (finding.severity === "warning") counts.warnings++;
    else counts.infos++;
  }
  return counts;
}
