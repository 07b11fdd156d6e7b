import type { Finding } from "../notebook/finding.js";
import { countFindings } from "./count-findings.js";
import { escapeMarkdown } from "./escape-markdown.js";
import { fillTemplate } from "./fill-template.js";
import { GITHUB_LIMITS, textSize } from "./github-limits.js";
import type { NotebookResult } from "./notebook-result.js";
import { sortResults } from "./sort-results.js";
import { truncateText } from "./truncate-text.js";

export interface CheckOutputInput {
  results: NotebookResult[];
  /** Markdown sentences the app writes about the run as a whole, such as a file list GitHub cut short. */
  notes: string[];
  /** How many annotations the findings make, and how many the cap let through. */
  annotations: { total: number; sent: number; cap: number };
  /** templates/check-summary.md: placeholders `headline`, `rows`, `overflow`, `notes`. */
  template: string;
}

export interface CheckOutput {
  conclusion: "success" | "failure";
  title: string;
  summary: string;
  text: string;
}

/** A long finding message is cut here in the text so one finding cannot crowd out the rest. */
const MAX_MESSAGE = 1_000;
/** Room kept for the overflow line, which is written once the count is known. */
const OVERFLOW_RESERVE = 400;

/**
 * The completed check run's conclusion and output: a summary table with a row per notebook,
 * and a text listing each finding. Both stay within GitHub's 65,535 limit and say what they left out.
 * The conclusion is `failure` exactly when some finding has error severity.
 */
export function renderCheckOutput(input: CheckOutputInput): CheckOutput {
  const results = sortResults(input.results);
  const totals = { errors: 0, warnings: 0, infos: 0, skipped: 0 };
  for (const result of results) {
    const counts = countFindings(result);
    totals.errors += counts.errors;
    totals.warnings += counts.warnings;
    totals.infos += counts.infos;
    if (result.status === "skipped") totals.skipped++;
  }

  const notes = [...input.notes];
  if (input.annotations.sent < input.annotations.total) {
    notes.push(
      `Annotations are capped at ${input.annotations.cap.toLocaleString("en-US")} per check run: ${input.annotations.sent.toLocaleString("en-US")} of ${input.annotations.total.toLocaleString("en-US")} are shown on the files, errors first. The text below lists every finding that fits.`,
    );
  }

  const headline = `${plural(results.length, "notebook")} checked: ${plural(totals.errors, "error")}, ${plural(totals.warnings, "warning")}, ${plural(totals.infos, "info finding")}${totals.skipped > 0 ? `, ${totals.skipped} skipped` : ""}.`;
  const notesBlock = notes.map((note) => `> ${note}`).join("\n>\n");
  const fixed = textSize(fillTemplate(input.template, { headline, rows: "", overflow: "", notes: notesBlock }));
  const budget = GITHUB_LIMITS.checkRunSummary - fixed - OVERFLOW_RESERVE;

  const rows: string[] = [];
  let used = 0;
  let shown = 0;
  for (const result of results) {
    const row = summaryRow(result);
    const size = textSize(row) + 1;
    if (used + size > budget) break;
    rows.push(row);
    used += size;
    shown++;
  }
  const hidden = results.slice(shown);
  const overflow =
    hidden.length === 0
      ? ""
      : `\n_…and ${plural(hidden.length, "more notebook")} not listed here (GitHub limits this summary to 65,535 characters): ${plural(hidden.filter((r) => countFindings(r).errors > 0).length, "notebook")} with errors among them._\n`;
  const summary = truncateText(
    fillTemplate(input.template, { headline, rows: rows.join("\n"), overflow, notes: notesBlock }),
    GITHUB_LIMITS.checkRunSummary,
    "\n\n_…summary truncated at GitHub's 65,535-character limit._\n",
  );

  const text = renderFindingsText(results);
  const title =
    totals.errors > 0
      ? `${plural(totals.errors, "error")} in ${plural(results.filter((r) => countFindings(r).errors > 0).length, "notebook")}`
      : totals.warnings > 0
        ? `No errors, ${plural(totals.warnings, "warning")}`
        : `${plural(results.length, "notebook")} OK`;
  return { conclusion: totals.errors > 0 ? "failure" : "success", title, summary, text };
}

function summaryRow(result: NotebookResult): string {
  const path = escapeMarkdown(result.path);
  if (result.status === "skipped") return `| ${path} | ⏭️ skipped | – | – | – | ${escapeMarkdown(result.detail)} |`;
  const counts = countFindings(result);
  const status = counts.errors > 0 ? "❌ failing" : counts.warnings > 0 ? "⚠️ warnings" : "✅ ok";
  const format = result.report.nbformat === null ? "not a notebook" : `nbformat ${escapeMarkdown(result.report.nbformat)}`;
  const validity = result.report.valid ? format : `${format}, invalid`;
  return `| ${path} | ${status} | ${counts.errors} | ${counts.warnings} | ${counts.infos} | ${validity} |`;
}

function renderFindingsText(results: NotebookResult[]): string {
  const limit = GITHUB_LIMITS.checkRunText;
  const note = (left: number): string =>
    `\n_…truncated: ${plural(left, "more finding")} not shown (GitHub limits this text to 65,535 characters). The annotations and a local \`nbtrain check\` show them._\n`;
  const totalFindings = results.reduce((sum, r) => sum + (r.status === "checked" ? r.report.findings.length : 0), 0);
  const parts: string[] = [];
  let used = 0;
  let written = 0;
  const reserve = textSize(note(totalFindings));
  for (const result of results) {
    if (result.status !== "checked" || result.report.findings.length === 0) continue;
    const heading = `### ${escapeMarkdown(result.path)}\n`;
    if (used + textSize(heading) > limit - reserve) break;
    parts.push(heading);
    used += textSize(heading);
    let full = true;
    for (const finding of result.report.findings) {
      const line = findingLine(finding);
      const size = textSize(line);
      if (used + size > limit - reserve) {
        full = false;
        break;
      }
      parts.push(line);
      used += size;
      written++;
    }
    parts.push("\n");
    used += 1;
    if (!full) break;
  }
  const text = parts.join("");
  return written < totalFindings ? text + note(totalFindings - written) : text;
}

function findingLine(finding: Finding): string {
  const where = [
    finding.line !== undefined ? `line ${finding.line}${finding.column !== undefined ? `:${finding.column}` : ""}` : undefined,
    finding.cell !== undefined ? `cell ${finding.cell + 1}` : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  const message = finding.message.length > MAX_MESSAGE ? `${finding.message.slice(0, MAX_MESSAGE)}…` : finding.message;
  return `- **${finding.severity}** \`${finding.rule}\`${where ? ` (${where})` : ""}: ${escapeMarkdown(message)}\n`;
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString("en-US")} ${noun}${count === 1 ? "" : "s"}`;
}
