import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JobStateEvent } from "../../src/compute/compute.js";
import { JobEventBus } from "../../src/compute/job-event-bus.js";
import type { GitHubClient } from "../../src/github/github-client.js";
import { RunProgressReporter } from "../../src/run-page/report-run-progress.js";
import { verifyRunPageToken } from "../../src/run-page/run-page-token.js";
import { FileStore } from "../../src/storage/file-store.js";

const target = { owner: "octo", repo: "models", pullNumber: 3, headSha: "a".repeat(40), checkRunId: 77, installationId: 9 };
const KEY = Buffer.from("progress-test-key-0123456789abcdef012345");
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), "nbtrain-progress-"));
  dirs.push(dir);
  const store = new FileStore(dir);
  const updates: Array<Record<string, unknown>> = [];
  let release: (() => void) | null = null;
  let hold = false;
  let entered!: () => void;
  const inUpdate = new Promise<void>((resolve) => (entered = resolve));
  // The check run API at the boundary: records each update; can be held to model a slow request.
  const octokit = {
    rest: {
      checks: {
        update: async (params: Record<string, unknown>) => {
          if (hold) {
            entered();
            await new Promise<void>((resolve) => (release = resolve));
          }
          updates.push(params);
          return { data: {} };
        },
      },
    },
  } as unknown as GitHubClient;
  let now = Date.parse("2026-12-01T00:00:00Z");
  const reporter = new RunProgressReporter({
    store,
    octokitFor: async () => octokit,
    settings: { key: KEY, publicUrl: "https://bot.example.com", ttlSeconds: 3600 },
    minIntervalMs: 5_000,
    pollMs: 60_000,
    clock: () => new Date(now),
  });
  const progress = (cell: number, loss: number, at: string) =>
    store.put(`runs/octo/models/r1/progress.json`, Buffer.from(JSON.stringify({ format: "nbtrain-progress/1", attempt: 1, cell, cells: 6, cells_done: cell, metrics_points: cell * 10, latest: { epoch: cell, loss }, updated_at: at })));
  return {
    reporter, updates, progress,
    advance: (ms: number) => (now += ms),
    hold: () => (hold = true),
    inUpdate,
    release: () => {
      hold = false;
      release?.();
    },
  };
}

const event = (status: JobStateEvent["status"]): JobStateEvent => ({ runId: "r1", target, status, attempt: 1 });

describe("check run progress while a run goes", () => {
  it("links the page on queue, then updates with the cell and latest metrics, at most once per interval and only on change", async () => {
    const t = setup();
    await t.reporter.onJobEvent(event("queued"));
    expect(t.updates).toHaveLength(1);
    const url = new URL(t.updates[0]!.details_url as string);
    expect(url.pathname).toBe("/nbtrain/runs/octo/models/r1");
    expect(verifyRunPageToken(KEY, { owner: "octo", repo: "models", runId: "r1" }, url.searchParams.get("t")!, new Date("2026-12-01T00:00:01Z"))).toBe(true);

    await t.reporter.onJobEvent(event("running"));
    await t.progress(2, 0.5, "2026-12-01T00:00:02Z");
    await t.reporter.tick();
    expect(t.updates).toHaveLength(2);
    expect(t.updates[1]!.output).toMatchObject({ title: "Running attempt 1: cell 3 of 6 · loss 0.5" });
    expect((t.updates[1]!.output as { summary: string }).summary).toContain("| loss | 0.5 |");
    expect((t.updates[1]!.output as { summary: string }).summary).toContain("[Live run page](https://bot.example.com/nbtrain/runs/octo/models/r1?t=");

    // New progress within the interval waits; unchanged progress after it sends nothing.
    await t.progress(3, 0.4, "2026-12-01T00:00:03Z");
    t.advance(1_000);
    await t.reporter.tick();
    expect(t.updates).toHaveLength(2);
    t.advance(5_000);
    await t.reporter.tick();
    expect(t.updates).toHaveLength(3);
    expect((t.updates[2]!.output as { title: string }).title).toBe("Running attempt 1: cell 4 of 6 · loss 0.4");
    t.advance(10_000);
    await t.reporter.tick();
    expect(t.updates).toHaveLength(3);
    t.reporter.stop();
  });

  it("a run that ends while its progress is read sends no late update", async () => {
    const t = setup();
    await t.reporter.onJobEvent(event("running"));
    await t.progress(1, 0.9, "2026-12-01T00:00:02Z");
    const tick = t.reporter.tick();
    await t.reporter.onJobEvent(event("failed"));
    await tick;
    expect(t.updates).toEqual([]);
  });

  it("a terminal event waits for an update in flight, so the final report is the last word", async () => {
    const t = setup();
    const bus = new JobEventBus();
    const order: string[] = [];
    bus.subscribe(t.reporter.onJobEvent);
    bus.subscribe((e) => void (e.status === "succeeded" && order.push(`report after ${t.updates.length} updates`)));
    await bus.emit(event("running"));
    await t.progress(1, 0.9, "2026-12-01T00:00:02Z");
    t.hold();
    const tick = t.reporter.tick();
    // The progress update is on the wire when the run ends.
    await t.inUpdate;
    const done = bus.emit(event("succeeded"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    t.release();
    await Promise.all([tick, done]);
    expect(order).toEqual(["report after 1 updates"]);
    // After the end nothing more is sent for the run.
    await t.progress(2, 0.8, "2026-12-01T00:00:09Z");
    t.advance(60_000);
    await t.reporter.tick();
    expect(t.updates).toHaveLength(1);
  });
});
