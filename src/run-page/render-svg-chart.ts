import type { ChartData } from "./chart-data.js";
import { escapeHtml } from "./escape-html.js";

const WIDTH = 360;
const HEIGHT = 140;
const PAD = { left: 48, right: 10, top: 18, bottom: 22 };
// An SVG of a million points would weigh megabytes; the shape survives keeping every k-th point.
const MAX_POINTS = 400;

/** One small inline SVG line chart per metric: the chart of a run for a browser without JavaScript. */
export function renderSvgCharts(data: ChartData): string {
  return data.metrics.map((metric) => renderOne(metric.name, data.xLabel, data.x, metric.y)).join("\n");
}

function renderOne(name: string, xLabel: string, xs: number[], ys: Array<number | null>): string {
  const points: Array<[number, number]> = [];
  const step = Math.max(1, Math.ceil(xs.length / MAX_POINTS));
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (y === null || y === undefined) continue;
    if (i % step === 0 || i === xs.length - 1) points.push([xs[i]!, y]);
  }
  const label = `${escapeHtml(name)} by ${escapeHtml(xLabel)}`;
  if (points.length === 0) return "";
  const [x0, x1] = range(points.map((p) => p[0]));
  const [y0, y1] = range(points.map((p) => p[1]));
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (WIDTH - PAD.left - PAD.right);
  const sy = (y: number) => HEIGHT - PAD.bottom - ((y - y0) / (y1 - y0 || 1)) * (HEIGHT - PAD.top - PAD.bottom);
  const path = points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ");
  return [
    `<svg class="chart" role="img" aria-label="${label}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" data-metric="${escapeHtml(name)}" data-points="${points.length}">`,
    `<title>${label}</title>`,
    `<text x="${PAD.left}" y="12" class="t">${escapeHtml(name)}</text>`,
    `<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" class="ax"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" class="ax"/>`,
    `<text x="${PAD.left - 4}" y="${PAD.top + 4}" text-anchor="end" class="l">${format(y1)}</text>`,
    `<text x="${PAD.left - 4}" y="${HEIGHT - PAD.bottom}" text-anchor="end" class="l">${format(y0)}</text>`,
    `<text x="${PAD.left}" y="${HEIGHT - 6}" class="l">${format(x0)}</text>`,
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 6}" text-anchor="end" class="l">${format(x1)} ${escapeHtml(xLabel)}</text>`,
    points.length === 1
      ? `<circle cx="${sx(points[0]![0]).toFixed(1)}" cy="${sy(points[0]![1]).toFixed(1)}" r="3" class="pt"/>`
      : `<polyline points="${path}" class="ln"/>`,
    `</svg>`,
  ].join("");
}

function range(values: number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return [min, max];
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : Math.abs(value) >= 1000 || Math.abs(value) < 0.001 ? value.toExponential(2) : value.toPrecision(4);
}
