import type { Finding, NotebookReport, Severity } from "../../notebook/finding.js";
import { summarizeReports } from "./summarize-reports.js";

export interface TextFormatOptions {
  /** ANSI colours, for a terminal that wants them. */
  color: boolean;
}

const COLORS: Record<Severity | "bold" | "dim", [string, string]> = {
  error: ["\u001b[31m", "\u001b[39m"],
  warning: ["\u001b[33m", "\u001b[39m"],
  info: ["\u001b[36m", "\u001b[39m"],
  bold: ["\u001b[1m", "\u001b[22m"],
  dim: ["\u001b[2m", "\u001b[22m"],
};

/** Longer messages are not padded: one long message should not push every rule id off screen. */
const MAX_MESSAGE_PAD = 80;

/**
 * Renders findings for people, in the layout ESLint made familiar: the path, then one line per finding
 * (`line:column  severity  message  rule`), then the totals. Notebooks without findings are not listed.
 */
export function formatText(reports: readonly NotebookReport[], options: TextFormatOptions): string {
  const paint = (style: keyof typeof COLORS, text: string): string =>
    options.color ? `${COLORS[style][0]}${text}${COLORS[style][1]}` : text;
  const out: string[] = [];
  let infos = 0;
  for (const report of reports) {
    if (report.findings.length === 0) continue;
    const rows = report.findings.map((finding) => ({
      where: position(finding),
      severity: finding.severity,
      message: oneLine(finding.message),
      rule: finding.rule,
    }));
    // A loop, not Math.max(...rows): a notebook can have more findings than a call has arguments.
    let whereWidth = 0;
    let messageWidth = 0;
    for (const row of rows) {
      whereWidth = Math.max(whereWidth, row.where.length);
      messageWidth = Math.min(Math.max(messageWidth, row.message.length), MAX_MESSAGE_PAD);
    }
    out.push("", paint("bold", report.path));
    for (const row of rows) {
      if (row.severity === "info") infos++;
      const severity = paint(row.severity, row.severity.padEnd(7));
      out.push(`  ${paint("dim", row.where.padStart(whereWidth))}  ${severity}  ${row.message.padEnd(messageWidth)}  ${paint("dim", row.rule)}`);
    }
  }
  const { files, errors, warnings } = summarizeReports(reports);
  const problems = errors + warnings + infos;
  const checked = `${files} ${files === 1 ? "notebook" : "notebooks"} checked`;
  out.push("");
  if (problems === 0) {
    out.push(`${paint("bold", "✔")} ${checked}, no problems`);
  } else {
    const counts = `${plural(errors, "error")}, ${plural(warnings, "warning")}${infos > 0 ? `, ${infos} info` : ""}`;
    const mark = errors > 0 ? paint("error", "✖") : warnings > 0 ? paint("warning", "⚠") : paint("info", "ℹ");
    out.push(`${mark} ${paint("bold", `${plural(problems, "problem")} (${counts})`)} in ${checked}`);
  }
  return `${out.join("\n").replace(/^\n/, "")}\n`;
}

/** `line:column` where known; otherwise the cell, so a person can still find the spot. */
function position(finding: Finding): string {
  if (finding.line !== undefined) return finding.column === undefined ? String(finding.line) : `${finding.line}:${finding.column}`;
  if (finding.cell !== undefined) return `cell ${finding.cell}`;
  return "-";
}

/** A message is one table row: newlines and control characters would break the layout (or the terminal). */
function oneLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  return message.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
