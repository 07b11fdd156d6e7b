import { formatDuration } from "../commands/format-duration.js";
import { formatMemory } from "../commands/format-memory.js";
import { batchResourceAllowed } from "./allow-list.js";
import type { DeploymentPolicy } from "./deployment-policy.js";
import type { TrainConfig } from "./train-config.js";

/** One key of a repository's `train` section that the deployment does not allow. */
export interface ConfigRefusal {
  key: string;
  message: string;
}

/**
 * Every key of a repository's `train` section that names something outside the operator's
 * allow-lists or asks for more than a cap: each GPU type's queues and job definition (on AWS
 * Batch only), its memory, and the limits. What the notebook check run reports, so a config is
 * refused where its author looks, before anyone comments `/train`.
 */
export function judgeTrainConfig(config: TrainConfig, policy: DeploymentPolicy, backend: "aws-batch" | "local"): ConfigRefusal[] {
  const refusals: ConfigRefusal[] = [];
  const code = (text: string): string => `\`${text.replace(/`/gu, "'")}\``;
  const listed = (entries: string[]): string => (entries.length === 0 ? "nothing" : entries.map(code).join(", "));
  for (const [name, type] of Object.entries(config.gpus)) {
    const at = `train.gpus.${name}`;
    if (backend === "aws-batch") {
      for (const field of ["queue", "spot_queue", "on_demand_queue"] as const) {
        const queue = type[field];
        if (queue !== undefined && !batchResourceAllowed(queue, policy.queues)) refusals.push({ key: `${at}.${field}`, message: `${code(queue)} is not a job queue this deployment allows (${listed(policy.queues)}, NBTRAIN_BATCH_QUEUES)` });
      }
      if (!batchResourceAllowed(type.job_definition, policy.jobDefinitions)) {
        refusals.push({ key: `${at}.job_definition`, message: `${code(type.job_definition)} is not a job definition this deployment allows (${listed(policy.jobDefinitions)}, NBTRAIN_BATCH_JOB_DEFINITIONS)` });
      }
    }
    if (type.memory > policy.maxMemoryMiB) refusals.push({ key: `${at}.memory`, message: `${formatMemory(type.memory)} is more than this deployment allows a run (${formatMemory(policy.maxMemoryMiB)}, NBTRAIN_MAX_MEMORY)` });
  }
  if (config.limits.max_gpus > policy.maxGpus) refusals.push({ key: "train.limits.max_gpus", message: `${config.limits.max_gpus} is more GPUs than this deployment allows a run (${policy.maxGpus}, NBTRAIN_MAX_GPUS)` });
  if (config.limits.max_timeout > policy.maxTimeoutSeconds) {
    refusals.push({ key: "train.limits.max_timeout", message: `${formatDuration(config.limits.max_timeout)} is longer than this deployment allows a run (${formatDuration(policy.maxTimeoutSeconds)}, NBTRAIN_MAX_TIMEOUT)` });
  }
  if (config.defaults.memory !== undefined && config.defaults.memory > policy.maxMemoryMiB) {
    refusals.push({ key: "train.defaults.memory", message: `${formatMemory(config.defaults.memory)} is more than this deployment allows a run (${formatMemory(policy.maxMemoryMiB)}, NBTRAIN_MAX_MEMORY)` });
  }
  return refusals;
}
