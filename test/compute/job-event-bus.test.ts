import { describe, expect, it } from "vitest";
import type { JobStateEvent } from "../../src/compute/compute.js";
import { JobEventBus } from "../../src/compute/job-event-bus.js";

const target = { owner: "o", repo: "r", pullNumber: 1, headSha: "a".repeat(40), checkRunId: 2, installationId: 3 };
const event = (status: JobStateEvent["status"]): JobStateEvent => ({ runId: "c1", target, status, attempt: 1 });

describe("JobEventBus", () => {
  it("delivers events one at a time, in order, awaiting slow listeners", async () => {
    const bus = new JobEventBus();
    const seen: string[] = [];
    bus.subscribe(async (e) => {
      await new Promise((resolve) => setTimeout(resolve, e.status === "queued" ? 30 : 0));
      seen.push(`a:${e.status}`);
    });
    bus.subscribe((e) => {
      seen.push(`b:${e.status}`);
    });
    void bus.emit(event("queued"));
    void bus.emit(event("running"));
    await bus.emit(event("succeeded"));
    expect(seen).toEqual(["a:queued", "b:queued", "a:running", "b:running", "a:succeeded", "b:succeeded"]);
  });

  it("keeps delivering when a listener throws, and reports the failure", async () => {
    const failures: string[] = [];
    const bus = new JobEventBus((error, e) => failures.push(`${e.status}: ${(error as Error).message}`));
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error("GitHub is down");
    });
    const unsubscribe = bus.subscribe((e) => {
      seen.push(e.status);
    });
    await bus.emit(event("queued"));
    unsubscribe();
    await bus.emit(event("running"));
    expect(seen).toEqual(["queued"]);
    expect(failures).toEqual(["queued: GitHub is down", "running: GitHub is down"]);
  });
});
