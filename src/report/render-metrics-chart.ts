import type { MetricValue } from "../runs/run-result.js";

/** Keys that count steps rather than measure anything; one of them is the chart's x axis. */
const STEP_KEYS = ["step", "epoch", "iteration", "iter", "global_step"];
const MAX_POINTS = 100;
const MAX_CHARTS = 4;

/**
 * Draws `metrics.jsonl` as Mermaid `xychart-beta` blocks, one per numeric metric (their scales
 * differ too much to share an axis), which GitHub renders natively so no image is hosted.
 * Long series are sampled down to 100 points, keeping the first and last. Returns "" when no
 * metric has two numeric points.
 */
export function renderMetricsChart(series: ReadonlyArray<Record<string, MetricValue>>): string {
  if (series.length < 2) return "";
  const stepKey = STEP_KEYS.find((key) => series.every((point) => typeof point[key] === "number"));
  const names = [...new Set(series.flatMap((point) => Object.keys(point)))].filter(
    (name) => name !== stepKey && series.filter((point) => isFiniteNumber(point[name])).length >= 2,
  );
  const blocks: string[] = [];
  for (const name of names.slice(0, MAX_CHARTS)) {
    const points = series.flatMap((point, index) => {
      const value = point[name];
      return isFiniteNumber(value) ? [{ x: stepKey ? (point[stepKey] as number) : index + 1, y: value }] : [];
    });
    const sampled = sample(points, MAX_POINTS);
    const label = quote(name);
    blocks.push(
      [
        "```mermaid",
        "xychart-beta",
        `  title ${label}`,
        `  x-axis ${quote(stepKey ?? "point")} [${sampled.map((p) => formatNumber(p.x)).join(", ")}]`,
        `  y-axis ${label}`,
        `  line [${sampled.map((p) => formatNumber(p.y)).join(", ")}]`,
        "```",
      ].join("\n"),
    );
  }
  return blocks.join("\n\n");
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function sample<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * step)]!);
}

/** Mermaid strings cannot hold a double quote; metric names come from user code. */
function quote(text: string): string {
  return `"${text.replace(/["\\\n\r`]/gu, "'").slice(0, 60)}"`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
