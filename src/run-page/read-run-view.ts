import { z } from "zod";
import type { JobLogs, JobStatus } from "../compute/compute.js";
import { LIVE_METRICS_KEY, PROGRESS_KEY, type LiveProgress } from "../runner/live-progress.js";
import { runRequestSchema } from "../runs/run-request.js";
import { metricValueSchema, runResultViewSchema, type MetricValue, type RunResultView } from "../runs/run-result.js";
import { RUN_FILES, runLayout } from "../runs/run-layout.js";
import { comparisonSchema } from "../runs/run-registry.js";
import { scopeStore } from "../storage/scoped-store.js";
import type { Store } from "../storage/store.js";
import { redactSecrets } from "../util/redact-secrets.js";
import type { RunRef } from "./run-page-token.js";

/** What the page knows of the baseline it compares with (issue 14 point 2). */
export interface BaselineView {
  /** The default-branch commit the baseline was trained at. */
  commit: string;
  branch: string;
  metrics: Record<string, MetricValue>;
  /** How it was chosen: the merge base itself, or the nearest earlier baseline. */
  relation: "merge-base" | "earlier";
}

/** One run as the page shows it; everything read from the run's own prefix of the store. */
export interface RunView {
  ref: RunRef;
  request: {
    notebook: string;
    pullNumber: number;
    headSha: string;
    baseRef: string;
    requestedBy: string;
    requestedAt: string;
    parameters: Record<string, unknown>;
    interruptions: string[];
    checkRunId: number | null;
  };
  /** queued (no result yet), running, or how it ended. */
  state: "queued" | "starting" | "running" | "completed" | "failed" | "interrupted" | "timed-out" | "cancelled";
  result: RunResultView | null;
  progress: LiveProgress | null;
  /** One record per step or epoch: the live copy while the attempt runs, the final one after. */
  series: Array<Record<string, MetricValue>>;
  checkpoints: { sequence: number; files: number; bytes: number; writtenAt: string } | null;
  hasOutput: boolean;
  logTail: string | null;
  /** The comparison of issue 14 point 2: a baseline, or why there is none. */
  baseline: BaselineView | null;
  baselineNote: string | null;
}

export interface RunViewDeps {
  store: Store;
  /** The backend's view of the run (its state and where its log is); cached by the caller. */
  status?: (runId: string) => Promise<{ status: JobStatus; attempt: number; logs?: JobLogs } | null>;
  readLogTail?: (logs: JobLogs) => Promise<string | null>;
}

const MAX_JSON_BYTES = 1024 * 1024;
export const MAX_SERIES_BYTES = 4 * 1024 * 1024;
const LOG_LINES = 60;

// A request from before this run page (or from a newer bot) still shows what it can.
const requestSchema = runRequestSchema.pick({ notebook: true, pullNumber: true, headSha: true, baseRef: true }).extend({
  requestedBy: z.string().catch(""),
  requestedAt: z.string().catch(""),
  parameters: z.record(z.string(), z.unknown()).catch({}),
  interruptions: z.array(z.string()).catch([]),
  checkRunId: z.number().optional().catch(undefined),
  baseline: z.object({ branch: z.string(), commit: z.string() }).optional().catch(undefined),
});
const metric = metricValueSchema;
const resultSchema = runResultViewSchema;

const progressSchema = z.object({
  format: z.literal("nbtrain-progress/1"),
  attempt: z.number(),
  cell: z.number().nullable(),
  cells: z.number(),
  cells_done: z.number(),
  metrics_points: z.number(),
  latest: z.record(z.string(), metric),
  updated_at: z.string(),
});

const manifestSchema = z.object({ sequence: z.number(), written_at: z.string().catch(""), files: z.array(z.object({ size: z.number() })) });

/** The store scoped to one run: every read below goes through it, so none can leave the run's prefix. */
export function runStore(store: Store, ref: RunRef): Store {
  return scopeStore(store, runLayout.prefix(ref));
}

/** The run, or null when it has no request.json (never ran here, or not a run at all). */
export async function readRunView(ref: RunRef, deps: RunViewDeps): Promise<RunView | null> {
  const store = runStore(deps.store, ref);
  const rawRequest = await readJson(store, "request.json");
  const request = requestSchema.safeParse(rawRequest);
  if (!request.success) return null;
  const [rawResult, rawProgress, rawManifest, rawComparison, snapshot, hasOutput] = await Promise.all([
    readJson(store, "result.json").catch(() => null),
    readJson(store, PROGRESS_KEY).catch(() => null),
    readJson(store, "manifest.json").catch(() => null),
    readJson(store, RUN_FILES.comparison).catch(() => null),
    deps.status ? deps.status(ref.runId).catch(() => null) : Promise.resolve(null),
    store.head("output.ipynb").then((object) => object !== null).catch(() => false),
  ]);
  const parsedResult = resultSchema.safeParse(rawResult);
  const result: RunResultView | null = parsedResult.success ? parsedResult.data : null;
  const parsedProgress = progressSchema.safeParse(rawProgress);
  const progress = parsedProgress.success ? (parsedProgress.data as LiveProgress) : null;
  const manifest = manifestSchema.safeParse(rawManifest);

  const state = stateOf(result, snapshot?.status ?? null);
  const finished = result !== null && result.status !== "running";
  const series = await readSeries(store, finished ? ["metrics.jsonl", LIVE_METRICS_KEY] : [LIVE_METRICS_KEY, "metrics.jsonl"]);
  const logTail = snapshot?.logs && deps.readLogTail ? await deps.readLogTail(snapshot.logs).catch(() => null) : null;
  const view: RunView["request"] = {
    notebook: request.data.notebook,
    pullNumber: request.data.pullNumber,
    headSha: request.data.headSha,
    baseRef: request.data.baseRef,
    requestedBy: request.data.requestedBy,
    requestedAt: request.data.requestedAt,
    parameters: request.data.parameters,
    interruptions: request.data.interruptions,
    checkRunId: request.data.checkRunId ?? null,
  };
  const comparison = comparisonOf(request.data.baseline, rawComparison, state);
  return {
    ref,
    request: view,
    state,
    result,
    progress: finished ? null : progress,
    series,
    checkpoints: manifest.success
      ? { sequence: manifest.data.sequence, files: manifest.data.files.length, bytes: manifest.data.files.reduce((sum, file) => sum + file.size, 0), writtenAt: manifest.data.written_at }
      : null,
    hasOutput,
    logTail: logTail === null ? null : tailLines(redactSecrets(logTail), LOG_LINES),
    baseline: comparison.baseline,
    baselineNote: comparison.note,
  };
}

/** The deltas' baseline from the bot's comparison.json (written when the run ended), or a note. */
function comparisonOf(own: { branch: string; commit: string } | undefined, raw: unknown, state: RunView["state"]): { baseline: BaselineView | null; note: string | null } {
  if (own) return { baseline: null, note: `This run is the baseline of ${own.branch} at ${own.commit}: pull requests into ${own.branch} are compared with it.` };
  const parsed = comparisonSchema.safeParse(raw);
  if (parsed.success && parsed.data.kind === "baseline") {
    const { baseline, relation } = parsed.data;
    return { baseline: { commit: baseline.commit, branch: baseline.branch, metrics: baseline.metrics, relation }, note: null };
  }
  if (parsed.success && parsed.data.kind === "none") return { baseline: null, note: parsed.data.why.replace(/`/gu, "") };
  return { baseline: null, note: ["completed", "failed", "interrupted", "timed-out", "cancelled"].includes(state) ? null : "The comparison with the default branch's baseline comes when the run ends." };
}

function stateOf(result: RunResultView | null, backend: JobStatus | null): RunView["state"] {
  if (backend === "cancelled") return "cancelled";
  if (result && result.status !== "running") return result.status;
  if (backend === "queued") return "queued";
  if (backend === "starting") return "starting";
  if (backend === "failed") return "failed";
  return result ? "running" : (backend ?? "queued") === "running" ? "running" : "queued";
}

function tailLines(text: string, lines: number): string {
  const all = text.replace(/\r\n?/gu, "\n").split("\n");
  // A tail that starts mid-line starts with a partial line; drop it.
  return all.slice(Math.max(1, all.length - lines)).join("\n").trimEnd();
}

async function readText(store: Store, key: string, max: number): Promise<string | null> {
  const head = await store.head(key);
  if (head === null) return null;
  if (head.size > max) throw new Error(`${key} is ${head.size} bytes, over the ${max} the page reads`);
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

async function readJson(store: Store, key: string): Promise<unknown> {
  const text = await readText(store, key, MAX_JSON_BYTES);
  return text === null ? null : (JSON.parse(text) as unknown);
}

async function readSeries(store: Store, keys: string[]): Promise<Array<Record<string, MetricValue>>> {
  for (const key of keys) {
    const text = await readText(store, key, MAX_SERIES_BYTES).catch(() => null);
    if (text === null) continue;
    return parseSeries(text);
  }
  return [];
}

/** metrics.jsonl lines as records of scalars; damaged lines are skipped, as in the report. */
export function parseSeries(text: string): Array<Record<string, MetricValue>> {
  return text.split("\n").flatMap((line) => {
    if (line.trim() === "") return [];
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
      return [Object.fromEntries(Object.entries(value).filter(([, v]) => v === null || ["number", "string", "boolean"].includes(typeof v))) as Record<string, MetricValue>];
    } catch {
      return [];
    }
  });
}
