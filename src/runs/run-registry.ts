import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import { isRunId } from "../commands/derive-run-id.js";
import type { Store } from "../storage/store.js";
import { runLayout, type RunRef } from "./run-layout.js";
import { parseRunRequest, type RunRequest } from "./run-request.js";
import { metricValueSchema, parseRunResult, type MetricValue, type RunResultView } from "./run-result.js";

export type { RunRequest } from "./run-request.js";

const SHA = /^[0-9a-f]{40}$/u;

/** `baselines/…/commits/…/<sha>.json`: what a baseline run at a default-branch commit measured. */
export const commitBaselineSchema = z.object({
  format: z.literal("nbtrain-baseline/2"),
  runId: z.string(),
  branch: z.string(),
  commit: z.string().regex(SHA),
  notebook: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  finishedAt: z.string(),
  metrics: z.record(z.string(), metricValueSchema),
});
export type CommitBaseline = z.output<typeof commitBaselineSchema>;

/** `comparison.json` of a finished PR run: the baseline its deltas are against, or why there is none. */
export const comparisonSchema = z.union([
  z.object({
    kind: z.literal("baseline"),
    /** The merge base itself had a baseline, or the nearest earlier commit with one was used. */
    relation: z.enum(["merge-base", "earlier"]),
    mergeBase: z.string(),
    baseline: commitBaselineSchema,
  }),
  z.object({ kind: z.literal("none"), branch: z.string(), mergeBase: z.string().nullable(), why: z.string() }),
]);
export type Comparison = z.output<typeof comparisonSchema>;

/** The largest `metrics.jsonl` the report reads; a runaway logger must not exhaust the bot's memory. */
const MAX_SERIES_BYTES = 4 * 1024 * 1024;

/**
 * The bot's own records in the Store, beside the runner's artifacts (keys in run-layout.ts):
 * a run's request and staged notebook; the active-run index, so limits count active runs per
 * repository and per PR with one list call; every run of a PR, for `/train status`; the
 * baselines of default-branch commits (written only by baseline runs), and what a PR run was
 * compared with. What it reads
 * back is parsed at this edge with the schemas in run-request.ts and run-result.ts.
 */
export class RunRegistry {
  constructor(readonly store: Store) {}

  async readRequest(owner: string, repo: string, runId: string): Promise<RunRequest | null> {
    const value = await this.readJson(runLayout.key({ owner, repo, runId }, "request"));
    return value === null ? null : parseRunRequest(value, runId);
  }

  async writeRequest(request: RunRequest): Promise<void> {
    await this.store.put(runLayout.key(request, "request"), Buffer.from(`${JSON.stringify(request, null, 2)}\n`), {
      contentType: "application/json",
    });
  }

  async stageNotebook(request: RunRef, bytes: Uint8Array): Promise<string> {
    const key = runLayout.key(request, "input");
    await this.store.put(key, bytes, { size: bytes.byteLength, contentType: "application/x-ipynb+json" });
    return key;
  }

  /** The notebook staged for a run, as it was at the run's head SHA. */
  async readInput(owner: string, repo: string, runId: string): Promise<Uint8Array | null> {
    const key = runLayout.key({ owner, repo, runId }, "input");
    if ((await this.store.head(key)) === null) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }

  /**
   * Records that a webhook delivery was acted on; false when it already was. Re-run buttons have
   * no comment id to derive a run id from, so a redelivered click is recognised by its delivery id.
   * One conditional create: of two instances given the same delivery at once, one goes on.
   */
  async claimDelivery(owner: string, repo: string, deliveryId: string): Promise<boolean> {
    if (!/^[A-Za-z0-9-]{1,100}$/u.test(deliveryId)) return true;
    const key = runLayout.delivery(owner, repo, deliveryId);
    return (await this.store.create(key, Buffer.from(JSON.stringify({ deliveryId, nonce: randomUUID() })), { contentType: "application/json" })) === "created";
  }

  async markActive(owner: string, repo: string, pullNumber: number, runId: string): Promise<void> {
    const empty = new Uint8Array(0);
    await Promise.all([
      this.store.put(runLayout.active(owner, repo, pullNumber, runId), empty, { size: 0 }),
      this.store.put(runLayout.pullRuns(owner, repo, pullNumber, runId), empty, { size: 0 }),
    ]);
  }

  async clearActive(owner: string, repo: string, pullNumber: number, runId: string): Promise<void> {
    await this.store.delete(runLayout.active(owner, repo, pullNumber, runId)).catch((error: unknown) => {
      if ((error as { code?: string }).code !== "not-found") throw error;
    });
  }

  /** The runs not yet reported finished, with their PR. */
  async listActive(owner: string, repo: string): Promise<Array<{ pullNumber: number; runId: string }>> {
    const prefix = runLayout.active(owner, repo);
    return (await this.store.list(prefix)).flatMap((object) => {
      const [pr, runId] = object.key.slice(prefix.length).split("/");
      return pr && runId && isRunId(runId) ? [{ pullNumber: Number(pr), runId }] : [];
    });
  }

  async listPullRuns(owner: string, repo: string, pullNumber: number): Promise<string[]> {
    const prefix = runLayout.pullRuns(owner, repo, pullNumber);
    return (await this.store.list(prefix)).map((object) => object.key.slice(prefix.length)).filter(isRunId);
  }

  /** The job's `result.json`; null before the job wrote one, an error when it holds something else. */
  async readResult(owner: string, repo: string, runId: string): Promise<RunResultView | null> {
    const key = runLayout.key({ owner, repo, runId }, "result");
    const value = await this.readJson(key);
    return value === null ? null : parseRunResult(value, key);
  }

  /** `metrics.jsonl` as records; unparseable lines are skipped (the runner already reported them). */
  async readSeries(owner: string, repo: string, runId: string): Promise<Array<Record<string, MetricValue>>> {
    const text = await this.readText(runLayout.key({ owner, repo, runId }, "metrics"), MAX_SERIES_BYTES);
    if (text === null) return [];
    return text.split("\n").flatMap((line) => {
      if (line.trim() === "") return [];
      try {
        const value: unknown = JSON.parse(line);
        if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
        return [Object.fromEntries(Object.entries(value).filter(([, v]) => v === null || ["number", "string", "boolean"].includes(typeof v)))];
      } catch {
        return [];
      }
    });
  }

  /** Records a default-branch commit's baseline; only a baseline run (request.baseline set) calls this. */
  async writeCommitBaseline(owner: string, repo: string, baseline: CommitBaseline): Promise<void> {
    const key = `${this.commitBaselinePrefix(owner, repo, baseline.branch, baseline.notebook)}${baseline.commit}.json`;
    await this.store.put(key, Buffer.from(JSON.stringify(baseline)), { contentType: "application/json" });
  }

  /** The commits of `branch` that have a baseline of `notebook`. */
  async listBaselineCommits(owner: string, repo: string, branch: string, notebook: string): Promise<Set<string>> {
    const prefix = this.commitBaselinePrefix(owner, repo, branch, notebook);
    return new Set((await this.store.list(prefix)).map((object) => object.key.slice(prefix.length).replace(/\.json$/u, "")).filter((sha) => SHA.test(sha)));
  }

  async readCommitBaseline(owner: string, repo: string, branch: string, notebook: string, commit: string): Promise<CommitBaseline | null> {
    if (!SHA.test(commit)) return null;
    const parsed = commitBaselineSchema.safeParse(await this.readJson(`${this.commitBaselinePrefix(owner, repo, branch, notebook)}${commit}.json`).catch(() => null));
    return parsed.success ? parsed.data : null;
  }

  async writeComparison(run: RunRef, comparison: Comparison): Promise<void> {
    await this.store.put(runLayout.key(run, "comparison"), Buffer.from(JSON.stringify(comparison)), { contentType: "application/json" });
  }

  private commitBaselinePrefix(owner: string, repo: string, branch: string, notebook: string): string {
    return runLayout.commitBaselines(owner, repo, hash(branch), hash(notebook));
  }

  private async readJson(key: string): Promise<unknown | null> {
    const text = await this.readText(key, MAX_SERIES_BYTES);
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${key} in the store is not valid JSON; it was damaged or written by something else.`);
    }
  }

  private async readText(key: string, maxBytes: number): Promise<string | null> {
    const head = await this.store.head(key);
    if (head === null) return null;
    if (head.size > maxBytes) throw new Error(`${key} is ${head.size} bytes, over the ${maxBytes} the bot reads.`);
    const chunks: Buffer[] = [];
    for await (const chunk of await this.store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString("utf8");
  }
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}
