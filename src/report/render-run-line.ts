import { formatDuration } from "../commands/format-duration.js";
import { escapeMarkdown } from "./escape-markdown.js";
import { formatDelta, formatValue } from "./render-metrics-table.js";
import type { MetricValue } from "../runs/run-result.js";

export type RunLineState = "queued" | "starting" | "running" | "retrying" | "succeeded" | "failed" | "cancelled" | "timed_out";

/** One run as the sticky comment lists it. */
export interface RunLine {
  runId: string;
  notebook: string;
  state: RunLineState;
  attempt?: number;
  durationSeconds?: number | null;
  /** A few final metrics for the line; the check run has them all. */
  metrics?: Record<string, MetricValue>;
  /** The baseline's metrics, for a delta after each metric. */
  baseline?: Record<string, MetricValue>;
  /** The check run's page. */
  url?: string;
}

const ICON: Record<RunLineState, string> = {
  queued: "🕒",
  starting: "🚀",
  running: "🏃",
  retrying: "🔁",
  succeeded: "✅",
  failed: "❌",
  cancelled: "⏹️",
  timed_out: "⌛",
};

/** The hidden marker that starts a run's line, so a later state replaces it in place. */
export function runLineMarker(runId: string): string {
  return `<!-- nbtrain:run:${runId} -->`;
}

/** One Markdown list item for a run: state, id, notebook, attempt, duration, up to 3 metrics, a link. */
export function renderRunLine(line: RunLine): string {
  const parts = [`${ICON[line.state]} **${line.state.replace("_", " ")}**`, `\`${line.runId}\``, `\`${line.notebook.replace(/[`\r\n]/gu, "'")}\``];
  if (line.attempt !== undefined && line.attempt > 1) parts.push(`attempt ${line.attempt}`);
  if (line.durationSeconds !== undefined && line.durationSeconds !== null) parts.push(formatDuration(line.durationSeconds));
  const metrics = Object.entries(line.metrics ?? {}).slice(0, 3);
  const baseline = line.baseline;
  const delta = (name: string, value: MetricValue) => (baseline && typeof value === "number" && typeof baseline[name] === "number" ? ` (${formatDelta(value, baseline[name])})` : "");
  if (metrics.length > 0) parts.push(metrics.map(([name, value]) => `${escapeMarkdown(name)} ${formatValue(value)}${delta(name, value)}`).join(", "));
  if (line.url) parts.push(`[details](${line.url})`);
  return `- ${runLineMarker(line.runId)}${parts.join(" · ")}`;
}
