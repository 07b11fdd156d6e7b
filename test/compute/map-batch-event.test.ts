import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mapBatchEvent } from "../../src/compute/map-batch-event.js";

const fixtures = join(import.meta.dirname, "../fixtures/batch-events");
const load = (name: string): Record<string, any> => JSON.parse(readFileSync(join(fixtures, name), "utf8"));

const target = {
  owner: "octo-org",
  repo: "vision-models",
  pullNumber: 42,
  headSha: "0123456789abcdef0123456789abcdef01234567",
  checkRunId: 987654321,
  installationId: 13579,
  notebook: "notebooks/mnist.ipynb",
};
const common = { runId: "c2468013579", target, backendJobId: "4c7599ae-0a82-49aa-ba5a-4727fcce14a8" };
const logs = (stream: string, group = "/aws/batch/job") => ({ kind: "cloudwatch", region: "us-east-1", group, stream });

function mapped(name: string) {
  const result = mapBatchEvent(load(name));
  if (result.kind !== "event") throw new Error(`${name}: expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

describe("mapBatchEvent", () => {
  it("maps RUNNABLE to queued, attempt 1", () => {
    expect(mapped("runnable.json")).toEqual({ ...common, status: "queued", attempt: 1, at: "2026-11-27T18:00:00Z" });
  });

  it("maps SUBMITTED and PENDING to queued as well", () => {
    for (const status of ["SUBMITTED", "PENDING"]) {
      const event = load("runnable.json");
      event.detail.status = status;
      expect(mapBatchEvent(event)).toMatchObject({ kind: "event", event: { status: "queued", attempt: 1 } });
    }
  });

  it("maps STARTING and RUNNING, with the log stream once there is one", () => {
    expect(mapped("starting.json")).toEqual({ ...common, status: "starting", attempt: 1, at: "2026-11-27T18:01:00Z" });
    expect(mapped("running.json")).toEqual({
      ...common,
      status: "running",
      attempt: 1,
      at: "2026-11-27T18:02:00Z",
      logs: logs("nbtrain-runner/default/aaaa1111"),
    });
  });

  it("maps SUCCEEDED with the attempt count and exit code", () => {
    expect(mapped("succeeded.json")).toEqual({
      ...common,
      status: "succeeded",
      attempt: 1,
      exitCode: 0,
      at: "2026-11-27T19:01:40Z",
      logs: logs("nbtrain-runner/default/aaaa1111"),
    });
  });

  it("maps FAILED with the reason and exit code", () => {
    expect(mapped("failed.json")).toEqual({
      ...common,
      status: "failed",
      attempt: 1,
      exitCode: 1,
      reason: "Essential container in task exited (exit code 1)",
      at: "2026-11-27T18:06:40Z",
      logs: logs("nbtrain-runner/default/bbbb2222"),
    });
  });

  it("reports a spot reclaim with attempts left as queued again, one attempt up, saying why", () => {
    expect(mapped("spot-reclaim-retry.json")).toEqual({
      ...common,
      status: "queued",
      attempt: 2,
      reason: "retrying after attempt 1: Host EC2 (instance i-0a1b2c3d4e5f67890) terminated.",
      retryOf: { attempt: 1, reason: "Host EC2 (instance i-0a1b2c3d4e5f67890) terminated." },
      at: "2026-11-27T18:10:00Z",
      logs: logs("nbtrain-runner/default/cccc3333"),
    });
  });

  it("fails a run whose every attempt was reclaimed, saying so", () => {
    const event = mapped("spot-reclaim-exhausted.json");
    expect(event).toMatchObject({ status: "failed", attempt: 3 });
    expect(event.reason).toBe(
      "Host EC2 (instance i-0fedcba9876543210) terminated.; the instance was reclaimed and all 3 attempt(s) are used",
    );
  });

  it("surfaces OutOfMemoryError and the configured log group", () => {
    expect(mapped("out-of-memory.json")).toEqual({
      ...common,
      status: "failed",
      attempt: 1,
      exitCode: 137,
      outOfMemory: true,
      reason: "OutOfMemoryError: Container killed due to memory usage; Essential container in task exited (exit code 137)",
      at: "2026-11-27T18:08:20Z",
      logs: logs("nbtrain-runner/default/eeee5555", "/nbtrain/jobs"),
    });
  });

  it("reads a job nbtrain terminated as cancelled", () => {
    expect(mapped("cancelled.json")).toMatchObject({
      status: "cancelled",
      attempt: 1,
      reason: "Cancelled via nbtrain: /train cancel by @octocat",
    });
  });

  it("tolerates unknown fields at every level", () => {
    expect(mapped("extra-fields.json")).toMatchObject({ ...common, status: "running", attempt: 1 });
  });

  it("ignores jobs nbtrain did not submit and other event types", () => {
    expect(mapBatchEvent(load("not-nbtrain.json"))).toEqual({
      kind: "ignored",
      reason: "job 4c7599ae-0a82-49aa-ba5a-4727fcce14a8 has no nbtrain:run-id tag: not an nbtrain job",
    });
    const other = load("running.json");
    other["detail-type"] = "Batch Service Job State Change";
    expect(mapBatchEvent(other)).toMatchObject({ kind: "ignored" });
  });

  it("falls back to the container environment when the event carries no tags", () => {
    const event = load("running.json");
    delete event.detail.tags;
    event.detail.container.environment = [
      { name: "NBTRAIN_RUN_ID", value: "c2468013579" },
      { name: "NBTRAIN_REPO", value: "octo-org/vision-models" },
      { name: "NBTRAIN_PULL_NUMBER", value: "42" },
      { name: "NBTRAIN_HEAD_SHA", value: target.headSha },
      { name: "NBTRAIN_CHECK_RUN_ID", value: "987654321" },
      { name: "NBTRAIN_INSTALLATION_ID", value: "13579" },
      { name: "NBTRAIN_NOTEBOOK", value: "notebooks/mnist.ipynb" },
    ];
    expect(mapBatchEvent(event)).toMatchObject({ kind: "event", event: { ...common, status: "running" } });
  });

  it("refuses malformed events and tags with a message naming what is wrong", () => {
    expect(mapBatchEvent(null)).toMatchObject({ kind: "invalid" });
    expect(mapBatchEvent("RUNNING")).toMatchObject({ kind: "invalid" });
    const noStatus = load("running.json");
    delete noStatus.detail.status;
    expect(mapBatchEvent(noStatus)).toEqual({ kind: "invalid", message: expect.stringMatching(/status/) });
    const badTags = load("running.json");
    badTags.detail.tags["nbtrain:check-run-id"] = "abc";
    badTags.detail.tags["nbtrain:run-id"] = "c2468013579";
    badTags.detail.container.environment = [];
    expect(mapBatchEvent(badTags)).toEqual({
      kind: "invalid",
      message: "job 4c7599ae-0a82-49aa-ba5a-4727fcce14a8: run c2468013579 has missing or malformed tags: nbtrain:check-run-id",
    });
    const evilRunId = load("running.json");
    evilRunId.detail.tags["nbtrain:run-id"] = "../../etc";
    expect(mapBatchEvent(evilRunId)).toMatchObject({ kind: "invalid", message: expect.stringMatching(/not one nbtrain makes/) });
  });
});

describe("mapBatchEvent on arbitrary input", () => {
  it("never throws, whatever arrives", async () => {
    const fc = (await import("fast-check")).default;
    const base = load("running.json");
    const kinds = new Set(["event", "ignored", "invalid"]);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => kinds.has(mapBatchEvent(value).kind)),
      { numRuns: 500 },
    );
    // Mutate one field of a real event at a time, at every depth.
    const paths: string[][] = [];
    const walk = (node: unknown, path: string[]) => {
      if (node && typeof node === "object") for (const [key, child] of Object.entries(node)) {
        paths.push([...path, key]);
        walk(child, [...path, key]);
      }
    };
    walk(base, []);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        const event = structuredClone(base);
        let node: any = event;
        for (const key of path.slice(0, -1)) node = node[key];
        node[path.at(-1)!] = value;
        return kinds.has(mapBatchEvent(event).kind);
      }),
      { numRuns: 1000 },
    );
  });
});
