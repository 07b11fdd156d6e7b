import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FileStore } from "../../src/storage/file-store.js";
import type { Store } from "../../src/storage/store.js";
import { loadPageAssets, type PageAssets } from "../../src/run-page/page-assets.js";

export const OWNER = "octo-org";
export const REPO = "models";
export const RUN = "c101";
export const KEY = Buffer.from("unit-test-page-key-0123456789abcdef0123");

/** A file store in a temporary folder holding one finished run, a running one, and things outside any run. */
export async function makeRunStore(): Promise<{ store: Store; root: string; reads: string[]; assets: PageAssets; cleanup: () => void }> {
  const root = mkdtempSync(path.join(tmpdir(), "nbtrain-run-page-"));
  const files = new FileStore(root);
  const reads: string[] = [];
  // Every key the page asks the store for, to show nothing outside the run's prefix is read.
  const store: Store = {
    uri: files.uri,
    put: (key, body, options) => files.put(key, body, options),
    create: (key, body) => files.create(key, body),
    get: (key) => (reads.push(key), files.get(key)),
    head: (key) => (reads.push(key), files.head(key)),
    list: (prefix) => (reads.push(prefix), files.list(prefix)),
    delete: (key) => files.delete(key),
  };
  const put = (key: string, value: unknown) => files.put(key, Buffer.from(typeof value === "string" ? value : JSON.stringify(value)));
  const request = (runId: string) => ({
    format: "nbtrain-request/1",
    runId,
    commentId: 101,
    owner: OWNER,
    repo: REPO,
    pullNumber: 7,
    headSha: "0123456789abcdef0123456789abcdef01234567",
    baseRef: "main",
    notebook: "nb/<script>alert(1)</script>.ipynb",
    parameters: { epochs: 3 },
    resources: { gpuType: "none", gpus: 1, vcpus: 1, memoryMiB: 1024, timeoutSeconds: 60, spot: false, queue: "q", jobDefinition: "d" },
    requestedBy: "octocat",
    requestedAt: "2026-12-01T10:00:00.000Z",
    checkRunId: 55,
    installationId: 1,
    interruptions: ["attempt 1: spot capacity reclaimed"],
  });
  const prefix = `runs/${OWNER}/${REPO}/${RUN}/`;
  await put(`${prefix}request.json`, request(RUN));
  await put(`${prefix}result.json`, {
    format: "nbtrain-result/1", run_id: RUN, status: "completed", attempt: 2, started_at: "2026-12-01T10:01:00.000Z", finished_at: "2026-12-01T10:05:00.000Z",
    duration_seconds: 240, resumed: true, restored_sequence: 3, checkpoint_sequence: 5, cells_total: 4, cells_executed: 4,
    metrics: { loss: 0.25, accuracy: 0.9, note: "<b>bold</b>" }, metrics_points: 3, parameters: {}, python: "3.11", failure: null, warnings: [],
  });
  await put(`${prefix}metrics.jsonl`, ['{"epoch":1,"loss":0.9,"accuracy":0.5}', '{"epoch":2,"loss":0.5,"accuracy":0.8}', "not json", '{"epoch":3,"loss":0.25,"accuracy":0.9}', ""].join("\n"));
  await put(`${prefix}output.ipynb`, { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] });
  await put(`${prefix}manifest.json`, { format: "nbtrain-manifest/1", run_id: RUN, sequence: 5, attempt: 2, written_at: "2026-12-01T10:04:00.000Z", files: [{ path: "a.pt", key: "checkpoints/5/a.pt", size: 10, sha256: "0".repeat(64) }] });
  // Another run and a file outside every run: the page must never read them through RUN's URLs.
  await put(`runs/${OWNER}/${REPO}/c202/request.json`, request("c202"));
  await put(`runs/${OWNER}/${REPO}/c202/output.ipynb`, "other run's notebook");
  await put("secrets.json", { token: "ghs_DoNotReadThisTokenEver0123456789" });
  return { store, root, reads, assets: await loadPageAssets(), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
