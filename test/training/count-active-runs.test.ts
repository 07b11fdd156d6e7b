import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Compute, JobSnapshot } from "../../src/compute/compute.js";
import { RunRegistry } from "../../src/runs/run-registry.js";
import { newRunRequest } from "../../src/runs/run-request.js";
import { FileStore } from "../../src/storage/file-store.js";
import { countActiveRuns } from "../../src/training/count-active-runs.js";

describe("countActiveRuns", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "nbtrain-active-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("confirms a run with the backend in the queue its request names, so a queue admitted by a wildcard keeps counting", async () => {
    const registry = new RunRegistry(new FileStore(dir));
    const request = newRunRequest(
      {
        runId: "c11",
        commentId: 11,
        owner: "o",
        repo: "r",
        pullNumber: 3,
        headSha: "0123456789abcdef0123456789abcdef01234567",
        baseRef: "main",
        notebook: "a.ipynb",
        parameters: {},
        resources: { gpuType: "t4", gpus: 1, vcpus: 4, memoryMiB: 1024, timeoutSeconds: 3600, spot: true, queue: "team-vision", jobDefinition: "nbtrain-runner" },
        requestedBy: "u",
        installationId: 2,
      },
      "2026-12-06T12:00:00.000Z",
    );
    await registry.writeRequest(request);
    await registry.markActive("o", "r", 3, "c11");
    const asked: Array<string | undefined> = [];
    // A backend that knows the run only when asked in its queue, as Batch's ListJobs does.
    const compute = {
      status: async (_runId: string, where?: { queue?: string }): Promise<JobSnapshot | null> => {
        asked.push(where?.queue);
        return where?.queue === "team-vision" ? ({ status: "running", attempt: 1 } as JobSnapshot) : null;
      },
    } as unknown as Compute;
    expect(await countActiveRuns(registry, compute, { owner: "o", repo: "r", pullNumber: 3 }, { perRepo: 1, perPullRequest: 1 })).toEqual({ inRepo: 1, inPullRequest: 1 });
    expect(asked).toEqual(["team-vision"]);
    expect(await registry.listActive("o", "r")).toEqual([{ pullNumber: 3, runId: "c11" }]);
  });
});
