import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RUN_FILES, runLayout } from "../../src/runs/run-layout.js";
import { RunRegistry } from "../../src/runs/run-registry.js";
import { parseRunRequest, type RunRequest } from "../../src/runs/run-request.js";
import { runResultSchema, runResultViewSchema, type RunResult } from "../../src/runs/run-result.js";
import { FileStore } from "../../src/storage/file-store.js";

const run = { owner: "acme", repo: "models", runId: "c42" };

const result: RunResult = {
  format: "nbtrain-result/1",
  run_id: "c42",
  status: "completed",
  attempt: 2,
  started_at: "2026-12-01T10:00:00.000Z",
  finished_at: "2026-12-01T10:05:00.000Z",
  duration_seconds: 300,
  resumed: true,
  restored_sequence: 3,
  checkpoint_sequence: 5,
  cells_total: 6,
  cells_executed: 6,
  metrics: { loss: 0.25, best: "epoch-3", converged: true, note: null },
  metrics_points: 3,
  parameters: { epochs: 3 },
  python: "3.13.5",
  failure: null,
  warnings: [],
};

const request: RunRequest = {
  format: "nbtrain-request/1",
  runId: "c42",
  commentId: 42,
  owner: "acme",
  repo: "models",
  pullNumber: 7,
  headSha: "a".repeat(40),
  baseRef: "main",
  notebook: "nb/train.ipynb",
  parameters: { epochs: 3, lr: 0.1, name: "x", flag: true, none: null },
  resources: { gpuType: "t4", gpus: 1, vcpus: 4, memoryMiB: 16384, timeoutSeconds: 3600, spot: true, queue: "q", jobDefinition: "jd" },
  requestedBy: "octocat",
  requestedAt: "2026-12-01T09:59:00.000Z",
  installationId: 9,
  interruptions: [],
};

const dirs: string[] = [];
function store(): FileStore {
  const dir = mkdtempSync(path.join(tmpdir(), "nbtrain-runs-"));
  dirs.push(dir);
  return new FileStore(dir);
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("run layout", () => {
  it("puts every file of a run under runs/<owner>/<repo>/<run-id>/", () => {
    expect(runLayout.prefix(run)).toBe("runs/acme/models/c42/");
    expect(Object.fromEntries(Object.keys(RUN_FILES).map((file) => [file, runLayout.key(run, file as keyof typeof RUN_FILES)]))).toEqual({
      request: "runs/acme/models/c42/request.json",
      input: "runs/acme/models/c42/input.ipynb",
      source: "runs/acme/models/c42/source.tar.gz",
      result: "runs/acme/models/c42/result.json",
      metrics: "runs/acme/models/c42/metrics.jsonl",
      manifest: "runs/acme/models/c42/manifest.json",
      checkpoints: "runs/acme/models/c42/checkpoints/",
      output: "runs/acme/models/c42/output.ipynb",
      progress: "runs/acme/models/c42/progress.json",
      comparison: "runs/acme/models/c42/comparison.json",
      liveMetrics: "runs/acme/models/c42/metrics.live.jsonl",
      pipLog: "runs/acme/models/c42/logs/pip.log",
    });
  });

  it("numbers checkpoint versions so they sort, and keeps the bot's indexes outside runs/", () => {
    expect(runLayout.checkpointVersion(3)).toBe("checkpoints/000003/");
    expect(runLayout.checkpointVersion(123456)).toBe("checkpoints/123456/");
    expect(runLayout.active("acme", "models")).toBe("index/active/acme/models/");
    expect(runLayout.active("acme", "models", 7, "c42")).toBe("index/active/acme/models/7/c42");
    expect(runLayout.pullRuns("acme", "models", 7)).toBe("index/pulls/acme/models/7/");
    expect(runLayout.delivery("acme", "models", "d-1")).toBe("index/deliveries/acme/models/d-1");
    expect(runLayout.baseline("acme", "models", "b", "n")).toBe("baselines/acme/models/b/n.json");
    expect(runLayout.commitBaselines("acme", "models", "b", "n")).toBe("baselines/acme/models/commits/b/n/");
  });
});

describe("request.json and result.json through a store", () => {
  it("reads back the request the bot wrote, and the result the job wrote, at the layout's keys", async () => {
    const files = store();
    const registry = new RunRegistry(files);
    await registry.writeRequest(request);
    expect(await files.head(runLayout.key(run, "request"))).not.toBeNull();
    expect(await registry.readRequest("acme", "models", "c42")).toEqual(request);

    await files.put(runLayout.key(run, "result"), Buffer.from(JSON.stringify(result)));
    const read = await registry.readResult("acme", "models", "c42");
    const { format: _format, run_id: _runId, python: _python, ...view } = result;
    expect(read).toEqual(view);
    expect(runResultSchema.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });

  it("returns null for a run whose job has not written result.json yet", async () => {
    expect(await new RunRegistry(store()).readResult("acme", "models", "c42")).toBeNull();
  });

  it("reads what it can from a result.json with only a status (an older or newer runner)", () => {
    expect(runResultViewSchema.parse({ status: "failed", attempt: "two", metrics: [1] })).toMatchObject({ status: "failed", attempt: 1, metrics: {}, failure: null, warnings: [] });
  });

  it("refuses a malformed result.json with an error that names the key and the field", async () => {
    const files = store();
    await files.put(runLayout.key(run, "result"), Buffer.from(JSON.stringify({ ...result, status: "exploded" })));
    const registry = new RunRegistry(files);
    await expect(registry.readResult("acme", "models", "c42")).rejects.toThrow(/^runs\/acme\/models\/c42\/result\.json is not a run result \(status: .+\); the runner writes it/u);

    await files.put(runLayout.key(run, "result"), Buffer.from("{ not json"));
    await expect(registry.readResult("acme", "models", "c42")).rejects.toThrow("runs/acme/models/c42/result.json in the store is not valid JSON");
  });

  it("refuses a damaged request.json and says how to recover", () => {
    expect(() => parseRunRequest({ ...request, pullNumber: -1 }, "c42")).toThrow(/^request\.json of run c42 is damaged \(.+\); delete it and comment \/train again\.$/u);
  });
});
