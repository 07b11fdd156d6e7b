import { escapeMarkdown } from "./escape-markdown.js";
import type { MetricValue } from "../runs/run-result.js";
import type { ReportBaseline } from "./run-report-input.js";

const MAX_ROWS = 50;

/**
 * The final metrics as a Markdown table, with a column of deltas against a baseline run when
 * one is given (numbers only; a metric the baseline lacks shows "new"). Returns "" without metrics.
 */
export function renderMetricsTable(metrics: Record<string, MetricValue>, baseline?: ReportBaseline | null): string {
  const names = Object.keys(metrics);
  if (names.length === 0) return "";
  const header = baseline
    ? `| Metric | Value | Baseline | Δ vs ${escapeMarkdown(baseline.branch)} at \`${baseline.commit.slice(0, 7)}\` |\n|---|---:|---:|---:|`
    : "| Metric | Value |\n|---|---:|";
  const rows = names.slice(0, MAX_ROWS).map((name) => {
    const value = metrics[name] ?? null;
    const cells = [escapeMarkdown(name), formatValue(value)];
    if (baseline) cells.push(formatValue(baseline.metrics[name]), formatDelta(value, baseline.metrics[name]));
    return `| ${cells.join(" | ")} |`;
  });
  if (names.length > MAX_ROWS) rows.push(`| … ${names.length - MAX_ROWS} more | |${baseline ? " | |" : ""}`);
  return `${header}\n${rows.join("\n")}`;
}

/** A metric value as plain text, for a caller that escapes it itself (the run page). */
export function formatMetric(value: MetricValue | undefined): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  if (value === undefined || value === null) return "–";
  return String(value).slice(0, 200);
}

/** A metric value for a Markdown table cell. */
export function formatValue(value: MetricValue | undefined): string {
  if (typeof value === "number" || value === undefined || value === null) return formatMetric(value);
  return escapeMarkdown(String(value)).slice(0, 200);
}

/** The change from `before` to `value`: `+0.012 (+3.1%)`, `±0`, `new`, `gone`, or `changed` for non-numbers. */
export function formatDelta(value: MetricValue | undefined, before: MetricValue | undefined): string {
  if (before === undefined) return "new";
  if (value === undefined) return "gone";
  if (typeof value !== "number" || typeof before !== "number") return value === before ? "=" : "changed";
  const delta = value - before;
  if (delta === 0) return "±0";
  const text = String(Number(Math.abs(delta).toPrecision(3)));
  const relative = before !== 0 ? ` (${delta > 0 ? "+" : "−"}${Number(Math.abs((delta / before) * 100).toPrecision(2))}%)` : "";
  return `${delta > 0 ? "+" : "−"}${text}${relative}`;
}
