import { formatDuration } from "../commands/format-duration.js";
import { formatMemory } from "../commands/format-memory.js";
import { escapeMarkdown } from "./escape-markdown.js";
import { GITHUB_LIMITS, textSize } from "./github-limits.js";
import { renderMetricsChart } from "./render-metrics-chart.js";
import { renderMetricsTable } from "./render-metrics-table.js";
import type { RunConclusion, RunReportInput } from "./run-report-input.js";
import { truncateText } from "./truncate-text.js";

export interface RunReport {
  conclusion: RunConclusion;
  title: string;
  summary: string;
}

const LOG_LINES = 30;
const HEADLINE: Record<RunConclusion, string> = {
  success: "✅ trained",
  failure: "❌ failed",
  cancelled: "⏹️ cancelled",
  timed_out: "⌛ timed out",
};

/**
 * The check run output of a finished run: what ran (status, duration, attempts and the
 * interruptions it survived), the final metrics with deltas against the base branch's last
 * successful run, a Mermaid chart of `metrics.jsonl`, links to the executed notebook,
 * checkpoints and logs, and on failure the failing cell, `ename`, `evalue`, the log's last lines
 * and an out-of-memory hint. The summary stays within GitHub's 65,535 bytes: the chart goes
 * first, then the log is cut.
 */
export function renderRunReport(input: RunReportInput): RunReport {
  const { result } = input;
  const duration = result?.duration_seconds ?? null;
  const title = `${HEADLINE[input.conclusion]}: ${input.notebook}${duration !== null ? ` in ${formatDuration(duration)}` : ""}`.slice(0, 200);

  const head = [
    `### ${HEADLINE[input.conclusion]} \`${codeSafe(input.notebook)}\`${input.baselineOf ? ` (baseline of \`${codeSafe(input.baselineOf.branch)}\` at \`${input.baselineOf.commit.slice(0, 7)}\`)` : ""}`,
    "",
    "| Run | Status | Duration | Attempts | Cells |",
    "|---|---|---|---|---|",
    `| \`${input.runId}\` | ${describeStatus(input)} | ${duration !== null ? formatDuration(duration) : "–"} | ${describeAttempts(input)} | ${result ? `${result.cells_executed} of ${result.cells_total}` : "–"} |`,
  ];
  if (input.interruptions.length > 0) {
    head.push("", `Survived ${input.interruptions.length === 1 ? "an interruption" : `${input.interruptions.length} interruptions`}, resuming from the latest checkpoint each time:`);
    head.push(...input.interruptions.slice(-10).map((reason) => `- ${escapeMarkdown(reason)}`));
  } else if (result?.resumed) {
    head.push("", `Resumed from checkpoint #${result.restored_sequence ?? "?"}.`);
  }
  if (input.reason && input.conclusion !== "success") head.push("", `**Why:** ${escapeMarkdown(input.reason).slice(0, 1000)}`);

  const failure = renderFailure(input);
  const metrics = result ? renderMetricsTable(result.metrics, input.baseline ?? null) : "";
  const metricsPart = metrics ? `#### Metrics\n\n${metrics}${comparisonLine(input)}` : "";
  const chart = renderMetricsChart(input.series);
  const chartPart = chart ? `#### Metrics over time\n\n${chart}` : "";
  const links = input.links.map((link) => `- ${link.label}: ${"url" in link ? `<${link.url}>` : `\`${codeSafe(link.path)}\``}`);
  const linksPart = links.length > 0 ? `#### Links\n\n${links.join("\n")}` : "";
  const warnings = result && result.warnings.length > 0 ? `<details><summary>Runner warnings (${result.warnings.length})</summary>\n\n${result.warnings.slice(0, 20).map((w) => `- ${escapeMarkdown(w).slice(0, 500)}`).join("\n")}\n</details>` : "";

  const compose = (parts: { chart: string; log: string }): string =>
    [head.join("\n"), failure.text, parts.log, metricsPart, parts.chart, linksPart, warnings].filter((part) => part !== "").join("\n\n");
  const limit = GITHUB_LIMITS.checkRunSummary;
  let summary = compose({ chart: chartPart, log: failure.log });
  if (textSize(summary) > limit) summary = compose({ chart: "", log: failure.log });
  if (textSize(summary) > limit) summary = compose({ chart: "", log: "" });
  summary = truncateText(summary, limit, "\n\n_…truncated to fit GitHub's limit._");
  return { conclusion: input.conclusion, title, summary };
}

/** Which commit the deltas are against, or why there are none; a baseline run says whose baseline it is. */
function comparisonLine(input: RunReportInput): string {
  if (input.baselineOf) return `\n\nRecorded as the baseline of \`${escapeMarkdown(input.baselineOf.branch)}\` at \`${input.baselineOf.commit}\`.`;
  if (input.baseline) {
    const which = input.baseline.relation === "merge-base" ? "the merge base" : "the nearest earlier baseline (the merge base has none)";
    return `\n\nCompared with ${which}: \`${input.baseline.commit}\` on \`${escapeMarkdown(input.baseline.branch)}\`.`;
  }
  // The note is nbtrain's own sentence, with code spans around the branch and commit.
  return input.baselineNote ? `\n\n${input.baselineNote}` : "";
}

function describeStatus(input: RunReportInput): string {
  if (input.result) return input.result.status;
  return { success: "completed", failure: "failed", cancelled: "cancelled", timed_out: "timed out" }[input.conclusion];
}

function describeAttempts(input: RunReportInput): string {
  const survived = input.interruptions.length > 0 ? input.interruptions.length : Math.max(0, input.attempt - 1);
  return survived > 0 ? `${input.attempt} (${survived} interruption${survived === 1 ? "" : "s"} survived)` : String(input.attempt);
}

function renderFailure(input: RunReportInput): { text: string; log: string } {
  const parts: string[] = [];
  const failure = input.result?.failure;
  if (failure && input.conclusion !== "success") {
    const where = failure.cell_index === null ? "Outside any cell" : `Cell ${failure.cell_index + 1}`;
    parts.push(`#### Failure\n\n${where} raised \`${codeSafe(failure.ename)}\`:\n\n\`\`\`text\n${fence(failure.evalue).slice(0, 4000)}\n\`\`\``);
  }
  if (input.outOfMemory) {
    const had = input.outOfMemory.memoryMiB;
    parts.push(
      `> [!TIP]\n> Out of memory at ${formatMemory(had).replace(/([0-9.])([A-Za-z])/u, "$1 $2")}: try \`--memory ${formatMemory(had * 4)}\` or a smaller batch size.`,
    );
  }
  const tail = input.conclusion !== "success" && input.logTail ? input.logTail.split(/\r?\n/u).filter((line, i, all) => line !== "" || i < all.length - 1).slice(-LOG_LINES) : [];
  const log = tail.length > 0 ? `<details open><summary>Last ${tail.length} log lines</summary>\n\n\`\`\`text\n${fence(tail.join("\n")).slice(-8000)}\n\`\`\`\n</details>` : "";
  return { text: parts.join("\n\n"), log };
}

/** Text inside a fenced block must not close the fence. */
function fence(text: string): string {
  return text.replace(/```/gu, "`\u200b``");
}

function codeSafe(text: string): string {
  return text.replace(/`/gu, "'").replace(/\r?\n/gu, " ").slice(0, 300);
}
