import type { Finding, NotebookReport } from "../../src/notebook/finding.js";
import type { NotebookResult } from "../../src/report/notebook-result.js";

/** A checked notebook result with the given findings. */
export function checked(path: string, findings: Array<Partial<Finding> & Pick<Finding, "severity">> = [], extra: Partial<Extract<NotebookResult, { status: "checked" }>> = {}): NotebookResult {
  const report: NotebookReport = {
    path,
    valid: !findings.some((f) => f.rule === "schema"),
    nbformat: "4.5",
    findings: findings.map((f) => ({ rule: "error-output", message: `${f.severity} message`, ...f }) as Finding),
  };
  return { path, status: "checked", report, ...extra };
}
