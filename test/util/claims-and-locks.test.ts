import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStore } from "../../src/storage/file-store.js";
import { createClaims } from "../../src/util/claims.js";
import { LockBusyError, withStoreLock } from "../../src/util/with-store-lock.js";

// Claims and the store lock on a real file store; two FileStore objects on one folder stand for
// two instances (test/e2e/race.test.ts does it with two server processes).

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "nbtrain-claims-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("createClaims", () => {
  it("in a store: one of many racing claims wins, across store objects", async () => {
    const a = createClaims(new FileStore(root));
    const b = createClaims(new FileStore(root));
    const won = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).claim("checks/o/r/sha/notebooks", `d${i}`)));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(a.scope).toBe("store");
  });

  it("a leased claim is kept within its lease and taken over, by exactly one, once it is older", async () => {
    let now = new Date("2026-12-06T12:00:00Z");
    const clock = () => now;
    const a = createClaims(new FileStore(root), clock);
    const b = createClaims(new FileStore(root), clock);
    expect(await a.claim("runs/o/r/c1", "d1", { leaseMs: 60_000 })).toBe(true);
    now = new Date("2026-12-06T12:00:30Z");
    expect(await b.claim("runs/o/r/c1", "d2", { leaseMs: 60_000 })).toBe(false);
    now = new Date("2026-12-06T12:02:00Z");
    const takers = await Promise.all([a.claim("runs/o/r/c1", "d3", { leaseMs: 60_000 }), b.claim("runs/o/r/c1", "d4", { leaseMs: 60_000 })]);
    expect(takers.filter(Boolean)).toHaveLength(1);
  });

  it("without a store: once per key in this process", async () => {
    const claims = createClaims(undefined);
    expect(claims.scope).toBe("process");
    expect(await claims.claim("k", "d1")).toBe(true);
    expect(await claims.claim("k", "d2")).toBe(false);
  });
});

describe("withStoreLock", () => {
  it("runs one holder at a time across store objects", async () => {
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        withStoreLock(new FileStore(root), "train/o/r", async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((resolve) => setImmediate(resolve));
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await new FileStore(root).list("locks/")).toEqual([]);
  });

  it("breaks a lock abandoned past its lease, and gives up with LockBusyError on a live one", async () => {
    const store = new FileStore(root);
    await store.create("locks/train/o/r.json", Buffer.from(JSON.stringify({ at: "2026-12-06T11:00:00Z", nonce: "dead" })));
    const clock = () => new Date("2026-12-06T12:00:00Z");
    expect(await withStoreLock(store, "train/o/r", async () => "ran", { leaseMs: 60_000, clock })).toBe("ran");
    await store.create("locks/train/o/r.json", Buffer.from(JSON.stringify({ at: "2026-12-06T11:59:50Z", nonce: "alive" })));
    await expect(withStoreLock(store, "train/o/r", async () => "ran", { leaseMs: 60_000, waitMs: 200, clock })).rejects.toBeInstanceOf(LockBusyError);
  });
});
