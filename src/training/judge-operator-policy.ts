import type { TrainDeps } from "./train-deps.js";
import type { JobResources } from "../commands/job-resources.js";
import { resolveTrainRequest } from "../commands/resolve-train-request.js";
import type { RunRequest } from "../runs/run-request.js";
import type { RunCommand } from "../commands/train-command.js";
import { judgeTrainRequest, type PolicyJudgement } from "../config/judge-train-request.js";
import type { TrainConfig } from "../config/train-config.js";

/** The operator's allow-lists and caps applied to what a `/train` (or a Re-run) would submit. */
export function judgeOperatorPolicy(command: RunCommand, config: TrainConfig, resources: JobResources, train: Pick<TrainDeps, "policy" | "backend" | "storeUri">): PolicyJudgement {
  return judgeTrainRequest(resolveTrainRequest(command, config, resources, { backend: train.backend, store: train.storeUri }), train.policy);
}

/**
 * The operator's policy applied to the next segment of a chain: the resources its run started
 * with, and the segment's own timeout. A refusal names what a continuation can change.
 */
export function judgeNextSegment(resources: RunRequest["resources"], train: Pick<TrainDeps, "policy" | "backend" | "storeUri">): PolicyJudgement {
  const at = `train.gpus.${resources.gpuType}`;
  return judgeTrainRequest(
    {
      backend: train.backend,
      queue: { value: resources.queue, key: `${at}.queue` },
      jobDefinition: { value: resources.jobDefinition, key: `${at}.job_definition` },
      gpus: { value: resources.gpus, key: "--gpus" },
      memoryMiB: { value: resources.memoryMiB, key: "--memory" },
      timeoutSeconds: { value: resources.timeoutSeconds, key: "--timeout" },
      store: { value: train.storeUri, key: "NBTRAIN_STORE" },
    },
    train.policy,
  );
}
