import type { MetricValue } from "../runs/run-result.js";

/** A metric value as plain text (the page escapes it). */
export function formatMetric(value: MetricValue | undefined): string {
  if (value === undefined || value === null) return "–";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  return String(value).slice(0, 200);
}

/** The change from `before` to `value`: `+0.012 (+3.1%)`, `±0`, `new`, or `changed` for non-numbers. */
export function formatMetricDelta(value: MetricValue | undefined, before: MetricValue | undefined): string {
  if (before === undefined) return "new";
  if (value === undefined) return "gone";
  if (typeof value !== "number" || typeof before !== "number") return value === before ? "=" : "changed";
  const delta = value - before;
  if (delta === 0) return "±0";
  const text = String(Number(Math.abs(delta).toPrecision(3)));
  const relative = before !== 0 ? ` (${delta > 0 ? "+" : "−"}${Number(Math.abs((delta / before) * 100).toPrecision(2))}%)` : "";
  return `${delta > 0 ? "+" : "−"}${text}${relative}`;
}
