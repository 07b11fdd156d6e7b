import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LiveProgressWriter } from "../../src/runner/live-progress.js";
import { FileStore } from "../../src/storage/file-store.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function read(store: FileStore, key: string): Promise<string | null> {
  if ((await store.head(key)) === null) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

describe("live progress", () => {
  it("mirrors the cell and whole metric lines into the store, and writes nothing when nothing changed", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "nbtrain-live-"));
    dirs.push(dir);
    const store = new FileStore(path.join(dir, "store"));
    const metrics = path.join(dir, "metrics.jsonl");
    let tick = 0;
    const writer = new LiveProgressWriter(store, metrics, 2, () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)));
    writer.observe({ type: "started", cells: 5, python: "3", attempt: 2, resume: true });
    writer.observe({ type: "cell_start", cell: 3, cells: 5 });
    await writer.flush();
    expect(JSON.parse((await read(store, "progress.json"))!)).toMatchObject({ format: "nbtrain-progress/1", attempt: 2, cell: 3, cells: 5, cells_done: 0, metrics_points: 0, latest: {} });
    expect(await read(store, "metrics.live.jsonl")).toBeNull();

    // A line still being written is left for the next flush.
    writeFileSync(metrics, '{"epoch":1,"loss":0.9}\n{"epoch":2,"loss":0.7}\n{"epoch":3,"lo');
    await writer.flush();
    expect(await read(store, "metrics.live.jsonl")).toBe('{"epoch":1,"loss":0.9}\n{"epoch":2,"loss":0.7}\n');
    const second = JSON.parse((await read(store, "progress.json"))!);
    expect(second).toMatchObject({ metrics_points: 2, latest: { epoch: 2, loss: 0.7 } });

    await writer.flush();
    expect(JSON.parse((await read(store, "progress.json"))!).updated_at).toBe(second.updated_at);

    appendFileSync(metrics, 'ss":0.5}\n');
    writer.observe({ type: "cell_done", cell: 3, cells: 5, status: "ok" });
    await writer.flush();
    expect(JSON.parse((await read(store, "progress.json"))!)).toMatchObject({ cell: null, cells_done: 4, metrics_points: 3, latest: { epoch: 3, loss: 0.5 } });
  });
});
