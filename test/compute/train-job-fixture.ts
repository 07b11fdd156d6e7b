import type { TrainJob } from "../../src/compute/compute.js";

/** A realistic job; tests override what they exercise. */
export function trainJob(overrides: Partial<TrainJob> = {}): TrainJob {
  return {
    runId: "c2468013579",
    repo: { owner: "octo-org", name: "vision-models" },
    pullNumber: 42,
    headSha: "0123456789abcdef0123456789abcdef01234567",
    checkRunId: 987654321,
    installationId: 13579,
    notebook: "notebooks/mnist.ipynb",
    parameters: { lr: 0.01, name: "a b; rm -rf / $(id)", flag: true, x: null },
    resources: {
      gpuType: "a10g",
      gpus: 1,
      vcpus: 4,
      memoryMiB: 16384,
      timeoutSeconds: 7200,
      spot: true,
      queue: "nbtrain-a10g-spot",
      jobDefinition: "nbtrain-runner:3",
    },
    storeUri: "s3://nbtrain-artifacts/prod",
    ...overrides,
  };
}
