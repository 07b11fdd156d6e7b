import { readFileSync } from "node:fs";
import path from "node:path";
import type { RunRegistry } from "../../src/runs/run-registry.js";
import { HEAD } from "./test-app.js";

/** The notebook the `/train` tests train. */
export const TRAIN_NOTEBOOK = "notebooks/spiral.ipynb";

type RunRequest = Parameters<RunRegistry["writeRequest"]>[0];

/**
 * The `request.json` the bot writes for `/train` comment `runId` (`c<comment id>`) on PR #1 of the
 * fixture repository, on the default GPU type unless `resources` says otherwise.
 */
export function runRequest(
  runId: string,
  checkRunId: number,
  patch: Partial<Omit<RunRequest, "resources">> & { resources?: Partial<RunRequest["resources"]> } = {},
): RunRequest {
  const { resources, ...rest } = patch;
  return {
    format: "nbtrain-request/1" as const,
    runId,
    commentId: Number(runId.slice(1)),
    owner: "Codertocat",
    repo: "Hello-World",
    pullNumber: 1,
    headSha: HEAD,
    baseRef: "master",
    notebook: TRAIN_NOTEBOOK,
    parameters: {},
    resources: { gpuType: "default", gpus: 1, vcpus: 4, memoryMiB: 16384, timeoutSeconds: 3600, spot: true, queue: "nbtrain", jobDefinition: "nbtrain-runner", ...resources },
    requestedBy: "Codertocat",
    requestedAt: "2026-11-27T11:00:00.000Z",
    checkRunId,
    installationId: 2,
    interruptions: [],
    ...rest,
  };
}

/** The resources of a run on the `a10g` GPU type that the Batch tests configure. */
export function a10gResources(queue: string): Partial<RunRequest["resources"]> {
  return { gpuType: "a10g", vcpus: 8, queue, jobDefinition: "nbtrain-runner:3" };
}

/**
 * The EventBridge event of Batch job run c2468013579 that failed out of memory, tagged for PR #1
 * of the fixture repository and its check run 4242.
 */
export function outOfMemoryEvent(): any {
  const raw = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../fixtures/batch-events/out-of-memory.json"), "utf8"));
  raw.detail.tags = {
    ...raw.detail.tags,
    "nbtrain:repo": "Codertocat/Hello-World",
    "nbtrain:pr": "1",
    "nbtrain:head-sha": HEAD,
    "nbtrain:check-run-id": "4242",
    "nbtrain:installation-id": "2",
  };
  return raw;
}
