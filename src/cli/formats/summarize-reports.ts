import type { NotebookReport } from "../../notebook/finding.js";

/** The `summary` object of the JSON output; `info` findings are counted in neither total. */
export interface ReportSummary {
  files: number;
  errors: number;
  warnings: number;
}

/** Counts files and findings by severity. */
export function summarizeReports(reports: readonly NotebookReport[]): ReportSummary {
  let errors = 0;
  let warnings = 0;
  for (const report of reports) {
    for (const finding of report.findings) {
      if (finding.severity === "error") errors++;
      else if (finding.severity === "warning") warnings++;
    }
  }
  return { files: reports.length, errors, warnings };
}
