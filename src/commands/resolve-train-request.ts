import type { Keyed, ResolvedTrainRequest } from "../config/judge-train-request.js";
import type { TrainConfig } from "../config/train-config.js";
import type { JobResources } from "./job-resources.js";
import type { RunCommand } from "./train-command.js";

/**
 * The request a `/train` would submit, each value with the key it came from: the command's flag
 * when the commenter wrote one, else the repository config's key. What the deployment policy judges.
 */
export function resolveTrainRequest(command: RunCommand, config: TrainConfig, resources: JobResources, deployment: { backend: "aws-batch" | "local"; store: string }): ResolvedTrainRequest {
  const type = config.gpus[resources.gpuType]!;
  const at = `train.gpus.${resources.gpuType}`;
  const queueKey = resources.spot && type.spot_queue !== undefined ? `${at}.spot_queue` : !resources.spot && type.on_demand_queue !== undefined ? `${at}.on_demand_queue` : `${at}.queue`;
  const keyed = <T>(value: T, key: string): Keyed<T> => ({ value, key });
  return {
    backend: deployment.backend,
    queue: keyed(resources.queue, queueKey),
    jobDefinition: keyed(resources.jobDefinition, `${at}.job_definition`),
    gpus: keyed(resources.gpus, command.gpus !== undefined ? "--gpus" : "train.defaults.gpus"),
    memoryMiB: keyed(resources.memoryMiB, command.memoryMiB !== undefined ? "--memory" : config.defaults.memory !== undefined ? "train.defaults.memory" : `${at}.memory`),
    timeoutSeconds: keyed(resources.timeoutSeconds, command.timeoutSeconds !== undefined ? "--timeout" : "train.defaults.timeout"),
    store: keyed(deployment.store, "NBTRAIN_STORE"),
  };
}
