import type { Finding, NotebookReport } from "../../notebook/finding.js";
import { summarizeReports } from "./summarize-reports.js";

/**
 * Renders the one JSON document of `nbtrain check --format json`:
 * `{"notebooks":[{"path","valid","nbformat","findings":[{"rule","severity","message","cell","line","column"}]}],
 *   "summary":{"files","errors","warnings"}}`. `cell`, `line` and `column` appear only where known;
 * the engine's internal fields (`path` inside the document, `lineInValue`) are left out.
 */
export function formatJson(reports: readonly NotebookReport[]): string {
  const notebooks = reports.map((report) => ({
    path: report.path,
    valid: report.valid,
    nbformat: report.nbformat,
    findings: report.findings.map(publicFinding),
  }));
  return `${JSON.stringify({ notebooks, summary: summarizeReports(reports) })}\n`;
}

interface PublicFinding {
  rule: string;
  severity: string;
  message: string;
  cell?: number;
  line?: number;
  column?: number;
}

function publicFinding(finding: Finding): PublicFinding {
  const out: PublicFinding = { rule: finding.rule, severity: finding.severity, message: finding.message };
  if (finding.cell !== undefined) out.cell = finding.cell;
  if (finding.line !== undefined) out.line = finding.line;
  if (finding.column !== undefined) out.column = finding.column;
  return out;
}
