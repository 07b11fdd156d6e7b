import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { JobStateEvent } from "../../src/compute/compute.js";
import { mapBatchEvent } from "../../src/compute/map-batch-event.js";
import { createBatchEventsHandler } from "../../functions/lib/create-batch-events-handler.js";

const fixtures = join(import.meta.dirname, "../fixtures/batch-events");
const load = (name: string): Record<string, any> => JSON.parse(readFileSync(join(fixtures, name), "utf8"));

function setup(report: (event: JobStateEvent) => Promise<void> = async () => undefined) {
  const reported: JobStateEvent[] = [];
  const lines: string[] = [];
  let loads = 0;
  const handler = createBatchEventsHandler({
    loadReporter: async () => {
      loads += 1;
      return async (event) => {
        await report(event);
        reported.push(event);
      };
    },
    log: { info: (m) => lines.push(m), error: (m) => lines.push(`ERROR ${m}`) },
  });
  return { handler, reported, lines, loads: () => loads };
}

describe("batch-events function", () => {
  it("reports each /train fixture event as the mapper reads it, loading the reporter once", async () => {
    const s = setup();
    const names = ["runnable.json", "starting.json", "running.json", "succeeded.json", "failed.json", "cancelled.json", "out-of-memory.json", "spot-reclaim-retry.json", "spot-reclaim-exhausted.json", "extra-fields.json"];
    for (const name of names) {
      const mapped = mapBatchEvent(load(name));
      if (mapped.kind !== "event") throw new Error(`${name} should map to an event, got ${mapped.kind}`);
      expect(await s.handler(load(name))).toEqual({ outcome: "reported", runId: mapped.event.runId, status: mapped.event.status });
      expect(s.reported.at(-1)).toEqual(mapped.event);
    }
    expect(new Set(s.reported.map((event) => event.status))).toEqual(new Set(["queued", "starting", "running", "succeeded", "failed", "cancelled"]));
    expect(s.loads()).toBe(1);
  });

  it("ignores a job nbtrain did not submit and another kind of event, without loading the reporter", async () => {
    const s = setup();
    expect(await s.handler(load("not-nbtrain.json"))).toMatchObject({ outcome: "ignored" });
    expect(await s.handler({ ...load("running.json"), "detail-type": "Batch Job Queue Blocked" })).toMatchObject({ outcome: "ignored" });
    expect(s.reported).toEqual([]);
    expect(s.loads()).toBe(0);
  });

  it("logs and drops a malformed event, since a retry cannot fix it", async () => {
    const s = setup();
    const event = load("running.json");
    delete event.detail.jobId;
    expect(await s.handler(event)).toMatchObject({ outcome: "invalid", message: expect.stringMatching(/jobId/u) });
    expect(await s.handler("not an event")).toMatchObject({ outcome: "invalid" });
    expect(s.lines.filter((line) => line.startsWith("ERROR"))).toHaveLength(2);
    expect(s.reported).toEqual([]);
  });

  it("throws when reporting fails, so Lambda retries the event", async () => {
    const s = setup(async () => {
      throw new Error("GitHub answered 502");
    });
    await expect(s.handler(load("succeeded.json"))).rejects.toThrow("GitHub answered 502");
  });
});
