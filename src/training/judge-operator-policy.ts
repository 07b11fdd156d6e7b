import type { TrainDeps } from "./train-deps.js";
import type { JobResources } from "../commands/job-resources.js";
import { resolveTrainRequest } from "../commands/resolve-train-request.js";
import type { RunCommand } from "../commands/train-command.js";
import { judgeTrainRequest, type PolicyJudgement } from "../config/judge-train-request.js";
import type { TrainConfig } from "../config/train-config.js";

/** The operator's allow-lists and caps applied to what a `/train` (or a Re-run) would submit. */
export function judgeOperatorPolicy(command: RunCommand, config: TrainConfig, resources: JobResources, train: Pick<TrainDeps, "policy" | "backend" | "storeUri">): PolicyJudgement {
  return judgeTrainRequest(resolveTrainRequest(command, config, resources, { backend: train.backend, store: train.storeUri }), train.policy);
}
