import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile, open } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStore } from "../../src/storage/file-store.js";
import { openStore } from "../../src/storage/open-store.js";
import { scopeStore } from "../../src/storage/scoped-store.js";
import { StoreError } from "../../src/storage/store-error.js";
import type { Store } from "../../src/storage/store.js";

const sha = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Yields `good` chunks of data, then fails: an upload cut in the middle. */
function cutStream(good: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent < good) {
        sent++;
        this.push(Buffer.alloc(64 * 1024, sent));
      } else {
        this.destroy(new Error("connection reset by peer"));
      }
    },
  });
}

let dir: string;
let store: FileStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-file-store-"));
  store = new FileStore(path.join(dir, "store"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("FileStore", () => {
  it("puts bytes and streams, and gets them back with size and sha256", async () => {
    const a = await store.put("runs/o/r/1/result.json", Buffer.from('{"ok":true}'));
    expect(a).toEqual({ key: "runs/o/r/1/result.json", size: 11, sha256: sha('{"ok":true}') });
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const b = await store.put("runs/o/r/1/checkpoints/model.pt", Readable.from([big.subarray(0, 1000), big.subarray(1000)]));
    expect(b).toEqual({ key: "runs/o/r/1/checkpoints/model.pt", size: big.length, sha256: sha(big) });
    expect((await readAll(await store.get("runs/o/r/1/checkpoints/model.pt"))).equals(big)).toBe(true);
    expect(await store.head("runs/o/r/1/result.json")).toEqual(a);
    expect(await store.head("runs/o/r/1/missing")).toBeNull();
    // Objects are plain files, so a checkpoint folder can be opened directly.
    expect(await readFile(path.join(dir, "store/runs/o/r/1/result.json"), "utf8")).toBe('{"ok":true}');
  });

  it("overwrites an object with a new version", async () => {
    await store.put("a.txt", Buffer.from("one"));
    const second = await store.put("a.txt", Buffer.from("second"));
    expect(second.sha256).toBe(sha("second"));
    expect((await readAll(await store.get("a.txt"))).toString()).toBe("second");
    expect(await store.head("a.txt")).toEqual(second);
  });

  it("lists by folder and by partial prefix, sorted, hiding its own bookkeeping", async () => {
    for (const key of ["runs/x/2/b", "runs/x/1/a", "runs/x/10/c", "runs/y/1/a", "top"]) await store.put(key, Buffer.from(key));
    expect((await store.list("runs/x/")).map((o) => o.key)).toEqual(["runs/x/1/a", "runs/x/10/c", "runs/x/2/b"]);
    expect((await store.list("runs/x/1")).map((o) => o.key)).toEqual(["runs/x/1/a", "runs/x/10/c"]);
    expect((await store.list("")).map((o) => o.key)).toEqual(["runs/x/1/a", "runs/x/10/c", "runs/x/2/b", "runs/y/1/a", "top"]);
    expect(await store.list("nothing/")).toEqual([]);
    const [first] = await store.list("runs/y/");
    expect(first).toEqual({ key: "runs/y/1/a", size: 10, sha256: sha("runs/y/1/a") });
    expect(await readdir(path.join(dir, "store"))).toEqual(expect.arrayContaining([".nbtrain-meta", "runs", "top"]));
  });

  it("deletes objects, tolerates deleting a missing one, and prunes empty folders", async () => {
    await store.put("runs/o/r/1/checkpoints/a.pt", Buffer.from("a"));
    await store.delete("runs/o/r/1/checkpoints/a.pt");
    await store.delete("runs/o/r/1/checkpoints/a.pt");
    expect(await store.head("runs/o/r/1/checkpoints/a.pt")).toBeNull();
    expect(await store.list("")).toEqual([]);
    expect(await readdir(path.join(dir, "store"))).not.toContain("runs");
    await expect(store.get("runs/o/r/1/checkpoints/a.pt")).rejects.toMatchObject({ code: "not-found" });
  });

  it("confines keys: traversal, absolute paths, backslashes and control characters never touch the disk", async () => {
    for (const key of ["../escape", "a/../../escape", "/etc/passwd", "a\\..\\b", "a//b", "bad\u0007", ".nbtrain-tmp/x", ".nbtrain-meta/x.json"]) {
      await expect(store.put(key, Buffer.from("x"))).rejects.toMatchObject({ code: "invalid-key" });
      await expect(store.get(key)).rejects.toBeInstanceOf(StoreError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(StoreError);
    }
    await expect(store.list("../")).rejects.toMatchObject({ code: "invalid-key" });
    expect(await readdir(dir)).toEqual([]); // not even the store's root was created
  });

  it("a put cut in the middle leaves nothing under its key, and keeps the previous version", async () => {
    await expect(store.put("ckpt/model.pt", cutStream(8))).rejects.toThrow(/connection reset/);
    expect(await store.head("ckpt/model.pt")).toBeNull();
    expect(await store.list("")).toEqual([]);

    const previous = await store.put("ckpt/model.pt", Buffer.from("epoch 1"));
    await expect(store.put("ckpt/model.pt", cutStream(3))).rejects.toThrow(/connection reset/);
    expect(await store.head("ckpt/model.pt")).toEqual(previous);
    expect((await readAll(await store.get("ckpt/model.pt"))).toString()).toBe("epoch 1");
    expect(await readdir(path.join(dir, "store/.nbtrain-tmp"))).toEqual([]);
  });

  it("rejects a put whose bytes do not match the announced size or sha256, keeping nothing", async () => {
    await expect(store.put("a", Buffer.from("hello"), { size: 4 })).rejects.toMatchObject({ code: "integrity" });
    await expect(store.put("a", Buffer.from("hello"), { sha256: sha("other") })).rejects.toThrow(/sha256/);
    expect(await store.head("a")).toBeNull();
    expect(await store.put("a", Buffer.from("hello"), { size: 5, sha256: sha("hello") })).toMatchObject({ size: 5 });
  });

  it("detects a corrupted object on get: the stream errors instead of returning bad bytes", async () => {
    const original = Buffer.alloc(256 * 1024, 1);
    await store.put("ckpt/model.pt", original);
    const file = path.join(dir, "store/ckpt/model.pt");
    const before = await stat(file, { bigint: true });
    // Flip one byte in place and restore the mtime, as silent disk corruption would.
    const handle = await open(file, "r+");
    await handle.write(Buffer.from([2]), 0, 1, 1000);
    await handle.close();
    await utimes(file, Number(before.atimeNs) / 1e9, Number(before.mtimeNs) / 1e9);
    const stream = await store.get("ckpt/model.pt");
    await expect(readAll(stream)).rejects.toMatchObject({ code: "integrity", message: expect.stringMatching(/sha256/) });
  });

  it("rehashes a file replaced outside the store instead of trusting a stale sidecar", async () => {
    await store.put("notes.txt", Buffer.from("old"));
    await writeFile(path.join(dir, "store/notes.txt"), "replaced by hand");
    expect(await store.head("notes.txt")).toEqual({ key: "notes.txt", size: 16, sha256: sha("replaced by hand") });
    expect((await readAll(await store.get("notes.txt"))).toString()).toBe("replaced by hand");
  });

  it("rehashes a same-size file rewritten in place rather than failing or trusting the old hash", async () => {
    await store.put("ckpt.pt", Buffer.from("aaaa"));
    const file = path.join(dir, "store/ckpt.pt");
    const before = await stat(file);
    await writeFile(file, "bbbb");
    await utimes(file, before.atime, new Date(before.mtimeMs + 5000));
    expect(await store.head("ckpt.pt")).toEqual({ key: "ckpt.pt", size: 4, sha256: sha("bbbb") });
    expect((await readAll(await store.get("ckpt.pt"))).toString()).toBe("bbbb");
  });

  it("reports a key that collides with a folder as a conflict", async () => {
    await store.put("a/b", Buffer.from("x"));
    await expect(store.put("a", Buffer.from("y"))).rejects.toMatchObject({ code: "conflict" });
    await expect(store.put("a/b/c", Buffer.from("y"))).rejects.toMatchObject({ code: "conflict" });
    expect((await store.list("")).map((o) => o.key)).toEqual(["a/b"]);
  });

  it("runs concurrent puts of one key without mixing versions", async () => {
    const bodies = Array.from({ length: 6 }, (_, i) => Buffer.alloc(100_000 + i, i));
    await Promise.all(bodies.map((body) => store.put("same", body)));
    const head = await store.head("same");
    const bytes = await readAll(await store.get("same"));
    expect(head).toEqual({ key: "same", size: bytes.length, sha256: sha(bytes) });
    expect(bodies.some((body) => body.equals(bytes))).toBe(true);
  });
});

describe("openStore with file://", () => {
  it("resolves relative paths against the base folder and absolute ones as given", async () => {
    const relative = await openStore("file://.nbtrain", { baseDir: dir });
    await relative.put("k", Buffer.from("v"));
    expect(await readFile(path.join(dir, ".nbtrain/k"), "utf8")).toBe("v");
    const absolute = await openStore(`file://${dir}/abs`, { baseDir: "/nonexistent" });
    await absolute.put("k", Buffer.from("w"));
    expect(await readFile(path.join(dir, "abs/k"), "utf8")).toBe("w");
    expect(absolute.uri).toBe(`file://${dir}/abs`);
  });

  it("refuses a root that is a file, and a malformed URI, before writing anything", async () => {
    await writeFile(path.join(dir, "plain"), "x");
    await expect(openStore("file://plain", { baseDir: dir })).rejects.toMatchObject({ code: "invalid-uri" });
    await expect(openStore("nope", { baseDir: dir })).rejects.toMatchObject({ code: "invalid-uri" });
    expect(await readdir(dir)).toEqual(["plain"]);
  });
});

describe("scopeStore", () => {
  it("confines a store to a run prefix and returns relative keys", async () => {
    const run: Store = scopeStore(store, "runs/o/r/42/");
    await run.put("checkpoints/a.pt", Buffer.from("a"));
    await store.put("runs/o/r/43/checkpoints/b.pt", Buffer.from("b"));
    expect((await run.list("checkpoints/")).map((o) => o.key)).toEqual(["checkpoints/a.pt"]);
    expect((await run.head("checkpoints/a.pt"))?.key).toBe("checkpoints/a.pt");
    expect((await store.list("")).map((o) => o.key)).toEqual(["runs/o/r/42/checkpoints/a.pt", "runs/o/r/43/checkpoints/b.pt"]);
    await expect(run.get("../43/checkpoints/b.pt")).rejects.toMatchObject({ code: "invalid-key" });
    expect(run.uri).toBe(`${store.uri}/runs/o/r/42/`);
    await run.delete("checkpoints/a.pt");
    expect(await run.list("")).toEqual([]);
  });
});
