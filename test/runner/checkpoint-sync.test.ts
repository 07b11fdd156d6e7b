import { mkdtemp, mkdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CheckpointSync } from "../../src/runner/checkpoint-sync.js";
import { restoreCheckpoints } from "../../src/runner/restore-checkpoints.js";
import { readStoreJson } from "../../src/runner/read-store-json.js";
import { FileStore } from "../../src/storage/file-store.js";
import { scopeStore } from "../../src/storage/scoped-store.js";
import type { PutOptions, Store } from "../../src/storage/store.js";

let dir: string;
let folder: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-sync-"));
  folder = path.join(dir, "checkpoints");
  await mkdir(folder);
  store = scopeStore(new FileStore(path.join(dir, "store")), "runs/o/r/run/");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sync(target: Store = store, base: ConstructorParameters<typeof CheckpointSync>[0]["base"] = null, errors: unknown[] = []) {
  return new CheckpointSync({ store: target, folder, runId: "run", attempt: 1, base, onError: (error) => errors.push(error) });
}

async function write(name: string, text: string, mtimeSeconds?: number) {
  const file = path.join(folder, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  if (mtimeSeconds !== undefined) await utimes(file, mtimeSeconds, mtimeSeconds);
}

const keys = async () => (await store.list("")).map((object) => object.key).sort();

/** `inner`, with its puts going through `put` first. */
function withPut(inner: Store, put: Store["put"]): Store {
  return {
    uri: inner.uri,
    head: (key) => inner.head(key),
    get: (key) => inner.get(key),
    list: (prefix) => inner.list(prefix),
    delete: (key) => inner.delete(key),
    create: (key, body) => inner.create(key, body),
    put,
  };
}

/** A store that fails (or cuts) uploads whose key matches, to see what a fault leaves behind. */
function faulty(inner: Store, failWhen: (key: string) => boolean): Store {
  return withPut(inner, async (key: string, body: Readable | Uint8Array, options?: PutOptions) => {
    if (failWhen(key)) {
      if (!(body instanceof Uint8Array)) body.destroy();
      throw new Error(`connection reset while uploading ${key}`);
    }
    return inner.put(key, body, options);
  });
}

describe("CheckpointSync", () => {
  it("uploads a file only once it is unchanged across two scans, then writes the manifest", async () => {
    const s = sync();
    await write("model.npz", "v1", 1_000);
    expect((await s.pass()).sequence).toBeNull(); // first sight: not yet known to be stable
    expect(await keys()).toEqual([]);
    const report = await s.pass();
    expect(report.sequence).toBe(1);
    expect(await keys()).toEqual(["checkpoints/000001/model.npz", "manifest.json"]);
    const manifest = (await readStoreJson(store, "manifest.json")) as any;
    expect(manifest).toMatchObject({ format: "nbtrain-manifest/1", run_id: "run", sequence: 1, attempt: 1 });
    expect(manifest.files).toEqual([
      { path: "model.npz", key: "checkpoints/000001/model.npz", size: 2, sha256: "3bfc269594ef649228e9a74bab00f042efc91d5acc6fbee31a382e80d42388fe" },
    ]);
    expect((await s.pass()).sequence).toBeNull(); // nothing changed, no new manifest
  });

  it("writes no manifest while any file in the folder is still changing, so the set stays consistent", async () => {
    const s = sync();
    await write("model.pt", "m1", 1_000);
    await write("optimizer.pt", "o1", 1_000);
    await s.pass();
    await write("optimizer.pt", "o2-longer", 2_000); // still being written
    const report = await s.pass();
    expect(report.uploadedFiles).toBe(1); // model.pt is stable and uploaded ahead of time
    expect(report.sequence).toBeNull();
    expect(await store.head("manifest.json")).toBeNull();
    const done = await s.pass();
    expect(done.sequence).toBe(1);
    const manifest = (await readStoreJson(store, "manifest.json")) as any;
    expect(manifest.files.map((f: any) => f.path)).toEqual(["model.pt", "optimizer.pt"]);
  });

  it("never uploads temporary files written before an atomic rename", async () => {
    const s = sync();
    await write("state.npz.tmp", "half", 1_000);
    await write("checkpoint.pt.part", "half", 1_000);
    await s.pass();
    await s.pass({ final: true });
    expect(await keys()).toEqual([]);
  });

  it("keeps each file version at its own key and deletes versions no manifest needs any more", async () => {
    const s = sync();
    await write("model.npz", "v1", 1_000);
    await s.pass();
    await s.pass();
    await write("model.npz", "v2", 2_000);
    await s.pass();
    expect((await s.pass()).sequence).toBe(2);
    await write("model.npz", "v3", 3_000);
    await s.pass();
    expect((await s.pass()).sequence).toBe(3);
    // The manifest before the latest stays restorable; older versions are collected.
    expect(await keys()).toEqual(["checkpoints/000002/model.npz", "checkpoints/000003/model.npz", "manifest.json"]);
  });

  it("a final pass after the kernel stopped uploads everything at once", async () => {
    const s = sync();
    await write("a.bin", "a");
    await write("sub/b.bin", "b");
    const report = await s.pass({ final: true });
    expect(report.sequence).toBe(1);
    expect(report.uploadedFiles).toBe(2);
    const manifest = (await readStoreJson(store, "manifest.json")) as any;
    expect(manifest.files.map((f: any) => f.path)).toEqual(["a.bin", "sub/b.bin"]);
  });

  it("an upload cut in the middle never becomes the manifest's latest; the next pass completes it", async () => {
    let failing = true;
    const errors: unknown[] = [];
    const s = sync(faulty(store, (key) => failing && key.endsWith("optimizer.pt")), null, errors);
    await write("model.pt", "m", 1_000);
    await write("optimizer.pt", "o", 1_000);
    await s.pass();
    const cut = await s.pass();
    expect(cut.sequence).toBeNull();
    expect(errors).toHaveLength(1);
    expect(await store.head("manifest.json")).toBeNull();
    failing = false;
    expect((await s.pass()).sequence).toBe(1);
    const manifest = (await readStoreJson(store, "manifest.json")) as any;
    expect(manifest.files.map((f: any) => f.path)).toEqual(["model.pt", "optimizer.pt"]);
  });

  it("a failed manifest write leaves the previous manifest as latest", async () => {
    let failManifest = false;
    const s = sync(faulty(store, (key) => failManifest && key === "manifest.json"));
    await write("model.pt", "v1", 1_000);
    await s.pass();
    await s.pass();
    failManifest = true;
    await write("model.pt", "v2", 2_000);
    await s.pass();
    expect((await s.pass()).sequence).toBeNull();
    const manifest = (await readStoreJson(store, "manifest.json")) as any;
    expect(manifest.sequence).toBe(1);
    // What it names is still there and intact.
    const restoredInto = path.join(dir, "restore");
    folder = restoredInto;
    const restored = await restoreCheckpoints(store, restoredInto);
    expect(restored.manifest?.sequence).toBe(1);
    expect(await readFile(path.join(restoredInto, "model.pt"), "utf8")).toBe("v1");
  });
});

describe("CheckpointSync's metrics.jsonl companion", () => {
  const metricsFile = () => path.join(dir, "metrics.jsonl");
  const withMetrics = (target: Store, errors: unknown[] = []) =>
    new CheckpointSync({
      store: target,
      folder,
      runId: "run",
      attempt: 1,
      base: null,
      companions: [{ file: metricsFile(), key: "metrics.jsonl" }],
      onError: (error) => errors.push(error),
    });
  const stored = async () => (await readFile(path.join(dir, "store/runs/o/r/run/metrics.jsonl"), "utf8"));

  it("stores the complete lines as they stand while the notebook appends during the upload", async () => {
    await writeFile(metricsFile(), '{"step":1}\n{"step":2}\n{"st');
    // The kernel appends while the store reads the upload, as it does during a long training run.
    const appending = withPut(store, async (key, body, options) => {
      if (key === "metrics.jsonl") await writeFile(metricsFile(), 'ep":3}\n{"step":4}\n', { flag: "a" });
      return store.put(key, body, options);
    });
    const errors: unknown[] = [];
    const s = withMetrics(appending, errors);
    await write("model.pt", "v1", 1_000);
    await s.pass();
    expect((await s.pass()).sequence).toBe(1);
    expect(errors).toEqual([]);
    expect(await stored()).toBe('{"step":1}\n{"step":2}\n');
    // The next manifest takes the lines completed since.
    await write("model.pt", "v2", 2_000);
    await s.pass();
    expect((await s.pass()).sequence).toBe(2);
    expect(await stored()).toBe('{"step":1}\n{"step":2}\n{"step":3}\n{"step":4}\n');
  });

  it("sends a last line without a newline once the kernel has stopped", async () => {
    await writeFile(metricsFile(), '{"step":1}\n{"step":2}');
    const s = withMetrics(store);
    await write("model.pt", "v1", 1_000);
    expect((await s.pass({ final: true })).sequence).toBe(1);
    expect(await stored()).toBe('{"step":1}\n{"step":2}');
  });

  it("a failed metrics upload does not hold the checkpoint back, and is retried with the next manifest", async () => {
    await writeFile(metricsFile(), '{"step":1}\n');
    let failMetrics = true;
    const errors: unknown[] = [];
    const s = withMetrics(faulty(store, (key) => failMetrics && key === "metrics.jsonl"), errors);
    await write("model.pt", "v1", 1_000);
    await s.pass();
    expect((await s.pass()).sequence).toBe(1);
    expect(String(errors[0])).toContain("connection reset while uploading metrics.jsonl");
    expect(((await readStoreJson(store, "manifest.json")) as any).sequence).toBe(1);
    failMetrics = false;
    await write("model.pt", "v2", 2_000);
    await s.pass();
    expect((await s.pass()).sequence).toBe(2);
    expect(await stored()).toBe('{"step":1}\n');
  });
});

describe("restoreCheckpoints", () => {
  it("restores exactly the files of the latest manifest into an emptied folder, and the sync goes on from there", async () => {
    const s = sync();
    await write("keep/model.pt", "weights", 1_000);
    await s.pass({ final: true });
    // A file uploaded after the manifest (a cut-off later sync) and a stale local file must not come back.
    await store.put("checkpoints/000002/keep/model.pt", Buffer.from("newer but unlisted"));
    const target = path.join(dir, "fresh");
    await mkdir(target);
    await writeFile(path.join(target, "stale.pt"), "old local file");
    const restored = await restoreCheckpoints(store, target);
    expect(restored.manifest?.sequence).toBe(1);
    expect(await readFile(path.join(target, "keep/model.pt"), "utf8")).toBe("weights");
    await expect(readFile(path.join(target, "stale.pt"))).rejects.toThrow();

    folder = target;
    const next = sync(store, { sequence: 1, restored: restored.restored });
    await next.pass();
    expect((await next.pass()).sequence).toBeNull(); // restored files are not uploaded again
    await write("keep/model.pt", "weights v2", 5_000);
    await next.pass();
    expect((await next.pass()).sequence).toBe(2);
  });

  it("returns no manifest for a fresh run", async () => {
    const restored = await restoreCheckpoints(store, path.join(dir, "empty"));
    expect(restored.manifest).toBeNull();
  });

  it("refuses a checkpoint whose bytes do not match the manifest", async () => {
    const s = sync();
    await write("model.pt", "weights", 1_000);
    await s.pass({ final: true });
    const manifest = (await readStoreJson(store, "manifest.json")) as any;
    manifest.files[0].sha256 = "0".repeat(64);
    await store.put("manifest.json", Buffer.from(JSON.stringify(manifest)));
    await expect(restoreCheckpoints(store, path.join(dir, "bad"))).rejects.toThrow(/does not match manifest 1/);
  });
});
