import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import { isRunId } from "../commands/derive-run-id.js";
import type { Store } from "../storage/store.js";
import { runLayout, type RunRef } from "./run-layout.js";
import { parseRunRequest, type RunRequest } from "./run-request.js";
import { metricValueSchema, parseRunResult, type MetricValue, type RunResultView } from "./run-result.js";

export type { RunRequest } from "./run-request.js";

const baselineSchema = z.object({
  runId: z.string(),
  branch: z.string(),
  headSha: z.string(),
  finishedAt: z.string(),
  metrics: z.record(z.string(), metricValueSchema),
});
export type Baseline = z.output<typeof baselineSchema>;

/** The largest `metrics.jsonl` the report reads; a runaway logger must not exhaust the bot's memory. */
const MAX_SERIES_BYTES = 4 * 1024 * 1024;

/**
 * The bot's own records in the Store, beside the runner's artifacts (keys in run-layout.ts):
 * a run's request and staged notebook; the active-run index, so limits count active runs per
 * repository and per PR with one list call; every run of a PR, for `/train status`; and the last
 * successful run of a notebook for PRs into a branch, for the report's deltas. What it reads
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

  async readBaseline(owner: string, repo: string, branch: string, notebook: string): Promise<Baseline | null> {
    const value = await this.readJson(this.baselineKey(owner, repo, branch, notebook));
    const parsed = baselineSchema.safeParse(value);
    return parsed.success ? parsed.data : null;
  }

  async writeBaseline(owner: string, repo: string, notebook: string, baseline: Baseline): Promise<void> {
    await this.store.put(this.baselineKey(owner, repo, baseline.branch, notebook), Buffer.from(JSON.stringify(baseline)), { contentType: "application/json" });
  }

  private baselineKey(owner: string, repo: string, branch: string, notebook: string): string {
    return runLayout.baseline(owner, repo, hash(branch), hash(notebook));
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
