import { createHash } from "node:crypto";
import { z } from "zod";
import { isRunId } from "../commands/derive-run-id.js";
import type { Store } from "../storage/store.js";

const resourcesSchema = z.object({
  gpuType: z.string(),
  gpus: z.number().int().positive(),
  vcpus: z.number().int().positive(),
  memoryMiB: z.number().int().positive(),
  timeoutSeconds: z.number().int().positive(),
  spot: z.boolean(),
  queue: z.string(),
  jobDefinition: z.string(),
});

/**
 * `runs/<owner>/<repo>/<run-id>/request.json`: what a `/train` asked for, written by the bot
 * before it submits. It lets a re-run, a report and `/train status` know the run with no database.
 */
export const runRequestSchema = z.object({
  format: z.literal("nbtrain-request/1"),
  runId: z.string().refine(isRunId),
  commentId: z.number().int().positive(),
  owner: z.string(),
  repo: z.string(),
  pullNumber: z.number().int().positive(),
  headSha: z.string(),
  baseRef: z.string(),
  notebook: z.string(),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  resources: resourcesSchema,
  requestedBy: z.string(),
  requestedAt: z.string(),
  /** Absent while the check run is being created: a redelivery then looks it up on GitHub. */
  checkRunId: z.number().int().positive().optional(),
  installationId: z.number().int().positive(),
  /** Set once `Compute.submit` returned; a redelivered webhook that finds it submits nothing. */
  submittedAt: z.string().optional(),
  backendJobId: z.string().optional(),
  /** Why earlier attempts ended, appended as retry events arrive. */
  interruptions: z.array(z.string()).default([]),
});

export type RunRequest = z.output<typeof runRequestSchema>;

const baselineSchema = z.object({
  runId: z.string(),
  branch: z.string(),
  headSha: z.string(),
  finishedAt: z.string(),
  metrics: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
});
export type Baseline = z.output<typeof baselineSchema>;

/** The largest `metrics.jsonl` the report reads; a runaway logger must not exhaust the bot's memory. */
const MAX_SERIES_BYTES = 4 * 1024 * 1024;

/**
 * The bot's own records in the Store, beside the runner's artifacts:
 * - `runs/<o>/<r>/<id>/request.json` (above) and `input.ipynb`, the notebook at the head SHA;
 * - `index/active/<o>/<r>/<pr>/<id>`: one empty object per unfinished run, so limits count active
 *   runs per repository and per PR with one list call;
 * - `index/pulls/<o>/<r>/<pr>/<id>`: every run of a PR, for `/train status`;
 * - `baselines/<o>/<r>/<branch-hash>/<notebook-hash>.json`: the last successful run of a notebook
 *   for PRs into a branch, for the report's deltas.
 */
export class RunRegistry {
  constructor(readonly store: Store) {}

  runPrefix(owner: string, repo: string, runId: string): string {
    return `runs/${owner}/${repo}/${runId}/`;
  }

  async readRequest(owner: string, repo: string, runId: string): Promise<RunRequest | null> {
    const value = await this.readJson(`${this.runPrefix(owner, repo, runId)}request.json`);
    if (value === null) return null;
    const parsed = runRequestSchema.safeParse(value);
    if (!parsed.success) throw new Error(`request.json of run ${runId} is damaged (${parsed.error.issues[0]?.message}); delete it and comment /train again.`);
    return parsed.data;
  }

  async writeRequest(request: RunRequest): Promise<void> {
    await this.store.put(`${this.runPrefix(request.owner, request.repo, request.runId)}request.json`, Buffer.from(`${JSON.stringify(request, null, 2)}\n`), {
      contentType: "application/json",
    });
  }

  async stageNotebook(request: Pick<RunRequest, "owner" | "repo" | "runId">, bytes: Uint8Array): Promise<string> {
    const key = `${this.runPrefix(request.owner, request.repo, request.runId)}input.ipynb`;
    await this.store.put(key, bytes, { size: bytes.byteLength, contentType: "application/x-ipynb+json" });
    return key;
  }

  /** The notebook staged for a run, as it was at the run's head SHA. */
  async readInput(owner: string, repo: string, runId: string): Promise<Uint8Array | null> {
    const key = `${this.runPrefix(owner, repo, runId)}input.ipynb`;
    if ((await this.store.head(key)) === null) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }

  /**
   * Records that a webhook delivery was acted on; false when it already was. Re-run buttons have
   * no comment id to derive a run id from, so a redelivered click is recognised by its delivery id.
   */
  async claimDelivery(owner: string, repo: string, deliveryId: string): Promise<boolean> {
    if (!/^[A-Za-z0-9-]{1,100}$/u.test(deliveryId)) return true;
    const key = `index/deliveries/${owner}/${repo}/${deliveryId}`;
    if ((await this.store.head(key)) !== null) return false;
    await this.store.put(key, new Uint8Array(0), { size: 0 });
    return true;
  }

  async markActive(owner: string, repo: string, pullNumber: number, runId: string): Promise<void> {
    const empty = new Uint8Array(0);
    await Promise.all([
      this.store.put(`index/active/${owner}/${repo}/${pullNumber}/${runId}`, empty, { size: 0 }),
      this.store.put(`index/pulls/${owner}/${repo}/${pullNumber}/${runId}`, empty, { size: 0 }),
    ]);
  }

  async clearActive(owner: string, repo: string, pullNumber: number, runId: string): Promise<void> {
    await this.store.delete(`index/active/${owner}/${repo}/${pullNumber}/${runId}`).catch((error: unknown) => {
      if ((error as { code?: string }).code !== "not-found") throw error;
    });
  }

  /** The runs not yet reported finished, with their PR. */
  async listActive(owner: string, repo: string): Promise<Array<{ pullNumber: number; runId: string }>> {
    const prefix = `index/active/${owner}/${repo}/`;
    return (await this.store.list(prefix)).flatMap((object) => {
      const [pr, runId] = object.key.slice(prefix.length).split("/");
      return pr && runId && isRunId(runId) ? [{ pullNumber: Number(pr), runId }] : [];
    });
  }

  async listPullRuns(owner: string, repo: string, pullNumber: number): Promise<string[]> {
    const prefix = `index/pulls/${owner}/${repo}/${pullNumber}/`;
    return (await this.store.list(prefix)).map((object) => object.key.slice(prefix.length)).filter(isRunId);
  }

  async readResult(owner: string, repo: string, runId: string): Promise<unknown | null> {
    return this.readJson(`${this.runPrefix(owner, repo, runId)}result.json`);
  }

  /** `metrics.jsonl` as records; unparseable lines are skipped (the runner already reported them). */
  async readSeries(owner: string, repo: string, runId: string): Promise<Array<Record<string, number | string | boolean | null>>> {
    const text = await this.readText(`${this.runPrefix(owner, repo, runId)}metrics.jsonl`, MAX_SERIES_BYTES);
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
    // Branch names and paths may hold any character; hashes keep the key valid and short.
    return `baselines/${owner}/${repo}/${hash(branch)}/${hash(notebook)}.json`;
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
