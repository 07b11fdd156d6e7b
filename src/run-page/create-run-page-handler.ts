import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { RUN_ID_PATTERN } from "../runner/run-spec.js";
import { colabUrl } from "../links/colab-url.js";
import { driveColabUrl } from "../links/drive-colab-url.js";
import { LIVE_METRICS_KEY } from "../runner/live-progress.js";
import { chartData } from "./chart-data.js";
import { assetNames, type PageAssets } from "./page-assets.js";
import { readRunView, runStore, type RunViewDeps } from "./read-run-view.js";
import { latestMetrics, renderMetricsTable, renderRunPage, stateLine } from "./render-run-page.js";
import type { RunPageSettings } from "./run-page-settings.js";
import { verifyRunPageToken, type RunRef } from "./run-page-token.js";
import { RUN_PAGE_ROOT, runPagePath } from "./run-page-url.js";

/** A request as both front doors (Node's server, the Lambda event) can give it. */
export interface PageRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | Readable;
}

/** Answers run page requests; null for a path that is not the page's, so the next handler may take it. */
export type RunPageHandler = (request: PageRequest) => Promise<PageResponse | null>;

export interface RunPageDeps extends RunViewDeps {
  settings: RunPageSettings;
  /** Read on first use; a failure leaves the page unstyled and without live charts, not broken. */
  assets: () => Promise<PageAssets>;
  /** Web host for PR links; `https://github.com` unless on GitHub Enterprise Server. */
  webBase?: string;
  clock?: () => Date;
  onError?: (error: unknown) => void;
}

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/u;
const MAX_URL = 2048;
const QUERY_KEYS = new Set(["t", "since"]);
const ARTIFACTS = new Set(["", "data.json", "output.ipynb", "metrics.jsonl", "checkpoints.json"]);
// The page holds a token in its URL and data from a private repository.
const PRIVATE_HEADERS = {
  "cache-control": "private, no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};
const NOT_FOUND = "Not found. A run page link carries a token that expires; open the page again from the check run on GitHub.\n";

/**
 * The run page's routes under `/nbtrain/` (see README.md in this folder). Every answer about a run
 * that the token does not open is the same 404, so nobody learns whether a run exists.
 */
export function createRunPageHandler(deps: RunPageDeps): RunPageHandler {
  const clock = deps.clock ?? (() => new Date());
  let loaded: Promise<PageAssets> | undefined;
  const assets = (): Promise<PageAssets> =>
    (loaded ??= deps.assets().catch((error: unknown) => {
      deps.onError?.(error);
      loaded = undefined;
      return new Map();
    }));
  const assetBase = `${RUN_PAGE_ROOT}/assets/`;

  return async (request) => {
    const rawUrl = request.url;
    if (!rawUrl.startsWith(`${RUN_PAGE_ROOT}/`)) return null;
    if (rawUrl.length > MAX_URL) return text(414, "The address is too long.\n");
    if (request.method !== "GET" && request.method !== "HEAD") return { ...text(405, "Only GET and HEAD.\n"), headers: { ...text(405, "").headers, allow: "GET, HEAD" } };
    const head = request.method === "HEAD";
    const queryAt = rawUrl.indexOf("?");
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? "" : rawUrl.slice(queryAt + 1));
    for (const key of query.keys()) if (!QUERY_KEYS.has(key)) return text(400, `Unknown query parameter ${JSON.stringify(key.slice(0, 40))}.\n`);
    if ([...query.keys()].length > QUERY_KEYS.size) return text(400, "Repeated query parameters.\n");
    // Segments are matched raw, before any decoding, so `..`, `%2e%2e` and `%2f` never become path parts.
    const segments = rawPath.slice(RUN_PAGE_ROOT.length + 1).split("/");
    const gzip = /\bgzip\b/u.test(String(request.headers["accept-encoding"] ?? ""));

    if (segments[0] === "assets" && segments.length === 2) {
      const asset = (await assets()).get(segments[1]!);
      if (!asset) return text(404, "No such file.\n");
      const versioned = segments[1]!.startsWith("uplot-");
      const body = gzip ? asset.gzip : asset.body;
      return {
        status: 200,
        headers: {
          "content-type": asset.contentType,
          "cache-control": versioned ? "public, max-age=31536000, immutable" : "public, max-age=300",
          "x-content-type-options": "nosniff",
          "content-length": String(body.length),
          vary: "accept-encoding",
          ...(gzip ? { "content-encoding": "gzip" } : {}),
        },
        body: head ? Buffer.alloc(0) : body,
      };
    }
    if (segments[0] !== "runs" || segments.length < 4 || segments.length > 5) return notFound();
    const [, owner, repo, runId, artifact = ""] = segments as [string, string, string, string, string?];
    if (!SLUG.test(owner) || !SLUG.test(repo) || !RUN_ID_PATTERN.test(runId) || runId.includes("..") || !ARTIFACTS.has(artifact)) return notFound();
    const token = query.get("t") ?? "";
    const ref: RunRef = { owner, repo, runId };
    const now = clock();
    if (!verifyRunPageToken(deps.settings.key, ref, token, now)) return notFound();
    const since = query.get("since");
    if (since !== null && !/^\d{1,9}$/u.test(since)) return text(400, "since must be a whole number of points.\n");

    const view = await readRunView(ref, deps);
    if (view === null) return notFound();
    const withToken = (sub?: string) => `${runPagePath(ref, sub)}?t=${encodeURIComponent(token)}`;
    const store = runStore(deps.store, ref);

    switch (artifact) {
      case "": {
        const names = assetNames(await assets());
        const driveId = view.hasOutput && deps.store.driveFileId ? await deps.store.driveFileId(`runs/${owner}/${repo}/${runId}/output.ipynb`).catch(() => null) : null;
        const html = renderRunPage(
          view,
          {
            self: withToken(),
            data: withToken("data.json"),
            output: view.hasOutput ? withToken("output.ipynb") : null,
            metrics: view.series.length > 0 ? withToken("metrics.jsonl") : null,
            checkpoints: view.checkpoints ? withToken("checkpoints.json") : null,
            // A baseline run belongs to a default-branch commit, not to a PR.
            pullRequest:
              view.request.pullNumber === 0
                ? `${deps.webBase ?? "https://github.com"}/${owner}/${repo}/commit/${view.request.headSha}`
                : `${deps.webBase ?? "https://github.com"}/${owner}/${repo}/pull/${view.request.pullNumber}`,
            colab: driveId
              ? { label: "Open the output notebook in Colab", url: driveColabUrl(driveId) }
              : { label: `Open the notebook at ${view.request.headSha.slice(0, 7)} in Colab`, url: colabUrl({ owner, repo, sha: view.request.headSha, path: view.request.notebook }) },
            assets: {
              uplotJs: assetBase + names.uplotJs,
              uplotCss: assetBase + names.uplotCss,
              pageJs: assetBase + names.pageJs,
              pageCss: assetBase + names.pageCss,
            },
          },
          now,
        );
        return body(200, "text/html; charset=utf-8", Buffer.from(html), gzip, head);
      }
      case "data.json": {
        const from = Math.min(Number(since ?? 0), view.series.length);
        const chart = chartData(view.series);
        const live = !["completed", "failed", "interrupted", "timed-out", "cancelled"].includes(view.state);
        const json = {
          state: view.state,
          live,
          stateLine: stateLine(view, now),
          metricsHtml: renderMetricsTable(latestMetrics(view), view),
          log: view.logTail,
          chart: { xLabel: chart.xLabel, from, total: chart.x.length, x: chart.x.slice(from), metrics: chart.metrics.map((metric) => ({ name: metric.name, y: metric.y.slice(from) })) },
        };
        return body(200, "application/json; charset=utf-8", Buffer.from(JSON.stringify(json)), gzip, head);
      }
      case "metrics.jsonl": {
        const key = view.result && view.result.status !== "running" && (await store.head("metrics.jsonl")) ? "metrics.jsonl" : LIVE_METRICS_KEY;
        return stream(store, key, "application/x-ndjson; charset=utf-8", `${runId}-metrics.jsonl`, head);
      }
      case "output.ipynb":
        return stream(store, "output.ipynb", "application/x-ipynb+json", `${runId}-output.ipynb`, head);
      case "checkpoints.json":
        return stream(store, "manifest.json", "application/json; charset=utf-8", null, head);
      default:
        return notFound();
    }
  };
}

async function stream(store: ReturnType<typeof runStore>, key: string, contentType: string, download: string | null, head: boolean): Promise<PageResponse> {
  const object = await store.head(key);
  if (object === null) return notFound();
  return {
    status: 200,
    headers: {
      ...PRIVATE_HEADERS,
      "content-type": contentType,
      "content-length": String(object.size),
      ...(download ? { "content-disposition": `attachment; filename="${download}"` } : {}),
    },
    body: head ? Buffer.alloc(0) : await store.get(key),
  };
}

function body(status: number, contentType: string, bytes: Buffer, gzip: boolean, head: boolean): PageResponse {
  const payload = gzip ? gzipSync(bytes) : bytes;
  return {
    status,
    headers: { ...PRIVATE_HEADERS, "content-type": contentType, "content-length": String(payload.length), vary: "accept-encoding", ...(gzip ? { "content-encoding": "gzip" } : {}) },
    body: head ? Buffer.alloc(0) : payload,
  };
}

function text(status: number, message: string): PageResponse {
  return { status, headers: { ...PRIVATE_HEADERS, "content-type": "text/plain; charset=utf-8" }, body: Buffer.from(message) };
}

function notFound(): PageResponse {
  return text(404, NOT_FOUND);
}

/** The handler as one of Probot's server handlers: true when it answered. */
export function toNodeHandler(handler: RunPageHandler, onError: (error: unknown) => void): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    if (!req.url?.startsWith(`${RUN_PAGE_ROOT}/`)) return false;
    let response: PageResponse | null;
    try {
      response = await handler({ method: req.method ?? "GET", url: req.url, headers: req.headers });
    } catch (error) {
      onError(error);
      response = text(500, "The run page could not be read; see the bot's log.\n");
    }
    if (response === null) return false;
    res.writeHead(response.status, response.headers);
    if (Buffer.isBuffer(response.body)) res.end(response.body);
    else {
      const source = response.body;
      source.on("error", (error) => {
        onError(error);
        res.destroy();
      });
      res.on("close", () => source.destroy());
      source.pipe(res);
    }
    return true;
  };
}

