import type { MetricValue } from "../runs/run-result.js";

/** A series laid out for a chart: one x axis and, per numeric metric, one y value (or null) per point. */
export interface ChartData {
  xLabel: string;
  x: number[];
  metrics: Array<{ name: string; y: Array<number | null> }>;
}

const X_KEYS = ["step", "epoch", "iteration"];
// More metrics than this are listed in the table only; a page of 200 charts helps no one.
const MAX_METRICS = 12;

/** The x axis is `step`, else `epoch`, else `iteration`, else the line number; every other finite number is a metric. */
export function chartData(series: ReadonlyArray<Record<string, MetricValue>>): ChartData {
  const xLabel = X_KEYS.find((key) => series.some((point) => typeof point[key] === "number")) ?? "point";
  const names: string[] = [];
  for (const point of series) {
    for (const [name, value] of Object.entries(point)) {
      if (name === xLabel || typeof value !== "number" || !Number.isFinite(value) || names.includes(name)) continue;
      if (names.length < MAX_METRICS) names.push(name);
    }
  }
  const x = series.map((point, index) => (typeof point[xLabel] === "number" && Number.isFinite(point[xLabel]) ? (point[xLabel] as number) : index + 1));
  return {
    xLabel,
    x,
    metrics: names.map((name) => ({ name, y: series.map((point) => (typeof point[name] === "number" && Number.isFinite(point[name]) ? (point[name] as number) : null)) })),
  };
}
