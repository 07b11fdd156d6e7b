import { formatDuration } from "../commands/format-duration.js";
import type { MetricValue } from "../runs/run-result.js";
import { chartData } from "./chart-data.js";
import { escapeHtml } from "./escape-html.js";
import { formatDelta, formatMetric } from "../report/render-metrics-table.js";
import type { RunView } from "./read-run-view.js";
import { renderSvgCharts } from "./render-svg-chart.js";

/** Where the page's links go; every run URL already carries the token. */
export interface RunPageLinks {
  self: string;
  data: string;
  output: string | null;
  metrics: string | null;
  checkpoints: string | null;
  pullRequest: string;
  colab: { label: string; url: string } | null;
  assets: { uplotJs: string; uplotCss: string; pageJs: string; pageCss: string };
}

const TERMINAL = new Set(["completed", "failed", "interrupted", "timed-out", "cancelled"]);
const STATE_WORDS: Record<RunView["state"], string> = {
  queued: "Queued",
  starting: "Starting",
  running: "Running",
  completed: "Succeeded",
  failed: "Failed",
  interrupted: "Interrupted",
  "timed-out": "Timed out",
  cancelled: "Cancelled",
};

/** The whole page, server-rendered: everything essential is here without JavaScript. */
export function renderRunPage(view: RunView, links: RunPageLinks, now: Date): string {
  const { request, result, progress } = view;
  const title = `${request.notebook} · run ${view.ref.runId}`;
  const live = !TERMINAL.has(view.state);
  const data = chartData(view.series);
  const metrics = latestMetrics(view);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
${live ? `<noscript><meta http-equiv="refresh" content="15"></noscript>` : ""}
<link rel="stylesheet" href="${escapeHtml(links.assets.pageCss)}">
<link rel="stylesheet" href="${escapeHtml(links.assets.uplotCss)}">
</head>
<body data-state="${escapeHtml(view.state)}" data-live="${live ? "1" : "0"}" data-src="${escapeHtml(links.data)}">
<header>
<h1>${escapeHtml(request.notebook)}</h1>
<p class="sub">${escapeHtml(view.ref.owner)}/${escapeHtml(view.ref.repo)} · run <code>${escapeHtml(view.ref.runId)}</code> · <a href="${escapeHtml(links.pullRequest)}">${request.pullNumber === 0 ? `baseline of ${escapeHtml(request.baseRef)}` : `PR #${request.pullNumber}`}</a> at <code>${escapeHtml(request.headSha.slice(0, 7))}</code>${request.requestedBy ? ` · by @${escapeHtml(request.requestedBy)}` : ""}</p>
<p id="state" class="state s-${escapeHtml(view.state)}">${escapeHtml(stateLine(view, now))}</p>
</header>
<main>
<section><h2>Attempts</h2>${renderAttempts(view)}</section>
<section><h2>Metrics</h2><div id="metrics">${renderMetricsTable(metrics, view)}</div>${renderBaselineNote(view)}</section>
<section><h2>Chart</h2><div id="charts" data-points="${view.series.length}">${data.metrics.length > 0 ? renderSvgCharts(data) : `<p class="muted">No metrics yet. A notebook writes one JSON object per line to <code>metrics.jsonl</code> in <code>output_dir</code>.</p>`}</div></section>
<section><h2>Links</h2><ul>${renderLinks(links)}</ul></section>
<section><h2>Log</h2>${view.logTail ? `<pre id="log">${escapeHtml(view.logTail)}</pre>` : `<p id="log" class="muted">No log lines are available${live ? " yet" : ""}.</p>`}</section>
</main>
<footer><p class="muted">Rendered ${escapeHtml(now.toISOString())}${live ? ". This page updates itself while the run goes (every 15 s without JavaScript)." : "."}</p></footer>
<script src="${escapeHtml(links.assets.uplotJs)}" defer></script>
<script src="${escapeHtml(links.assets.pageJs)}" defer></script>
</body></html>
`;
}

/** The final metrics when the run ended, else the newest live line. */
export function latestMetrics(view: RunView): Record<string, MetricValue> {
  if (view.result && view.result.status !== "running" && Object.keys(view.result.metrics).length > 0) return view.result.metrics;
  if (view.progress && Object.keys(view.progress.latest).length > 0) return view.progress.latest;
  return view.series.at(-1) ?? {};
}

export function stateLine(view: RunView, now: Date): string {
  const words = STATE_WORDS[view.state];
  const result = view.result;
  if (view.state === "running" && view.progress) {
    const cell = view.progress.cell === null ? "" : `, cell ${view.progress.cell + 1} of ${view.progress.cells}`;
    const since = result?.started_at ? ` for ${formatDuration((now.getTime() - Date.parse(result.started_at)) / 1000)}` : "";
    return `${words} attempt ${view.progress.attempt}${cell}${since}`;
  }
  if (result && TERMINAL.has(view.state)) {
    const took = result.duration_seconds !== null ? ` after ${formatDuration(result.duration_seconds)}` : "";
    const failure = result.failure ? `: ${result.failure.ename}: ${result.failure.evalue}`.slice(0, 300) : "";
    return `${words} (attempt ${result.attempt})${took}${failure}`;
  }
  return words;
}

function renderAttempts(view: RunView): string {
  const rows: string[] = [];
  view.request.interruptions.forEach((why) => rows.push(`<tr><td>${escapeHtml(why.split(":")[0] ?? "")}</td><td>interrupted</td><td colspan="3">${escapeHtml(why)}</td></tr>`));
  const result = view.result;
  if (result) {
    const cells = view.progress ? `${view.progress.cells_done}/${view.progress.cells}` : `${result.cells_executed}/${result.cells_total}`;
    rows.push(
      `<tr><td>attempt ${result.attempt}${result.resumed ? ` (resumed from checkpoint #${result.restored_sequence ?? "?"})` : ""}</td><td>${escapeHtml(view.state)}</td><td>${escapeHtml(result.started_at)}</td><td>${result.duration_seconds === null ? "–" : escapeHtml(formatDuration(result.duration_seconds))}</td><td>${escapeHtml(cells)}</td></tr>`,
    );
  }
  const requested = `<p class="muted">Requested ${escapeHtml(view.request.requestedAt)}${view.checkpoints ? ` · checkpoint #${view.checkpoints.sequence}: ${view.checkpoints.files} files, ${view.checkpoints.bytes} bytes` : ""}</p>`;
  if (rows.length === 0) return `${requested}<p class="muted">No attempt has started yet.</p>`;
  return `${requested}<table><thead><tr><th>Attempt</th><th>State</th><th>Started</th><th>Took</th><th>Cells</th></tr></thead><tbody id="attempts">${rows.join("")}</tbody></table>`;
}

export function renderMetricsTable(metrics: Record<string, MetricValue>, view: Pick<RunView, "baseline">): string {
  const names = Object.keys(metrics).slice(0, 50);
  if (names.length === 0) return `<p class="muted">No metrics yet.</p>`;
  const baseline = view.baseline;
  const head = baseline ? `<th>Baseline <code>${escapeHtml(baseline.commit.slice(0, 7))}</code></th><th>Δ</th>` : "";
  const rows = names.map((name) => {
    const cells = [`<td>${escapeHtml(name)}</td>`, `<td class="n">${escapeHtml(formatMetric(metrics[name]))}</td>`];
    if (baseline) cells.push(`<td class="n">${escapeHtml(formatMetric(baseline.metrics[name]))}</td>`, `<td class="n">${escapeHtml(formatDelta(metrics[name], baseline.metrics[name]))}</td>`);
    return `<tr>${cells.join("")}</tr>`;
  });
  return `<table><thead><tr><th>Metric</th><th>Value</th>${head}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function renderBaselineNote(view: RunView): string {
  if (view.baseline) {
    const how = view.baseline.relation === "merge-base" ? "the merge base" : "the nearest earlier baseline";
    return `<p class="muted" id="baseline">Compared with ${how}: <code>${escapeHtml(view.baseline.commit)}</code> on ${escapeHtml(view.baseline.branch)}.</p>`;
  }
  return view.baselineNote ? `<p class="muted" id="baseline">${escapeHtml(view.baselineNote)}</p>` : "";
}

function renderLinks(links: RunPageLinks): string {
  const items = [
    links.output ? `<li><a href="${escapeHtml(links.output)}">Output notebook</a></li>` : `<li class="muted">Output notebook: not written yet</li>`,
    links.colab ? `<li><a href="${escapeHtml(links.colab.url)}" rel="noreferrer">${escapeHtml(links.colab.label)}</a></li>` : "",
    links.metrics ? `<li><a href="${escapeHtml(links.metrics)}">Metrics (JSON lines)</a></li>` : "",
    links.checkpoints ? `<li><a href="${escapeHtml(links.checkpoints)}">Checkpoints (manifest)</a></li>` : `<li class="muted">Checkpoints: none yet</li>`,
    `<li><a href="${escapeHtml(links.pullRequest)}" rel="noreferrer">${links.pullRequest.includes("/commit/") ? "Commit" : "Pull request"}</a></li>`,
  ];
  return items.join("");
}
