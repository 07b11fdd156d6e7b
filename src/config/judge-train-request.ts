import { formatDuration } from "../commands/format-duration.js";
import { formatMemory } from "../commands/format-memory.js";
import { batchResourceAllowed, storeAllowed } from "./allow-list.js";
import type { DeploymentPolicy } from "./deployment-policy.js";

/** A value of the request and the key it came from (a repository config key or a command flag). */
export interface Keyed<T> {
  value: T;
  key: string;
}

/** What a `/train` would submit, once the command and the repository config are resolved. */
export interface ResolvedTrainRequest {
  /** Queues and job definitions mean something on AWS Batch only; the local backend ignores them. */
  backend: "aws-batch" | "local";
  queue: Keyed<string>;
  jobDefinition: Keyed<string>;
  gpus: Keyed<number>;
  memoryMiB: Keyed<number>;
  timeoutSeconds: Keyed<number>;
  /** Where the run writes its checkpoints and results. */
  store: Keyed<string>;
  /** Where the run restores from, when it starts from checkpoints made elsewhere. */
  from?: Keyed<string>;
}

export type PolicyJudgement = { ok: true } | { ok: false; key: string; allowed: string; message: string };

const code = (text: string): string => `\`${text.replace(/`/gu, "'")}\``;
const listed = (entries: string[]): string => (entries.length === 0 ? "nothing" : entries.map(code).join(", "));

/**
 * Judges a resolved train request against the operator's policy. A refusal names the key the
 * offending value came from, what the operator allows and the variable that sets it, so the
 * commenter knows whom to ask; nothing may be submitted after one.
 */
export function judgeTrainRequest(request: ResolvedTrainRequest, policy: DeploymentPolicy): PolicyJudgement {
  const refuse = (key: string, allowed: string, message: string): PolicyJudgement => ({ ok: false, key, allowed, message: `${message} Change ${code(key)}, or ask the deployment's operator.` });

  if (request.backend === "aws-batch") {
    if (!batchResourceAllowed(request.queue.value, policy.queues)) {
      const allowed = `${listed(policy.queues)} (NBTRAIN_BATCH_QUEUES)`;
      return refuse(request.queue.key, allowed, `The job queue ${code(request.queue.value)} (${code(request.queue.key)}) is not one this deployment allows; the operator allows ${allowed}.`);
    }
    if (!batchResourceAllowed(request.jobDefinition.value, policy.jobDefinitions)) {
      const allowed = `${listed(policy.jobDefinitions)} (NBTRAIN_BATCH_JOB_DEFINITIONS)`;
      return refuse(request.jobDefinition.key, allowed, `The job definition ${code(request.jobDefinition.value)} (${code(request.jobDefinition.key)}) is not one this deployment allows; the operator allows ${allowed}.`);
    }
  }
  for (const location of [request.store, ...(request.from ? [request.from] : [])]) {
    if (!storeAllowed(location.value, policy.stores)) {
      const allowed = `${listed(policy.stores)} and what lies under them (NBTRAIN_ALLOWED_STORES)`;
      return refuse(location.key, allowed, `The store location ${code(location.value)} (${code(location.key)}) is outside what this deployment allows; the operator allows ${allowed}.`);
    }
  }
  if (request.gpus.value > policy.maxGpus) {
    const allowed = `at most ${policy.maxGpus} GPU${policy.maxGpus === 1 ? "" : "s"} per run (NBTRAIN_MAX_GPUS)`;
    return refuse(request.gpus.key, allowed, `${request.gpus.value} GPUs (${code(request.gpus.key)}) is more than this deployment allows: ${allowed}.`);
  }
  if (request.memoryMiB.value > policy.maxMemoryMiB) {
    const allowed = `at most ${formatMemory(policy.maxMemoryMiB)} per run (NBTRAIN_MAX_MEMORY)`;
    return refuse(request.memoryMiB.key, allowed, `${formatMemory(request.memoryMiB.value)} of memory (${code(request.memoryMiB.key)}) is more than this deployment allows: ${allowed}.`);
  }
  if (request.timeoutSeconds.value > policy.maxTimeoutSeconds) {
    const allowed = `at most ${formatDuration(policy.maxTimeoutSeconds)} per run (NBTRAIN_MAX_TIMEOUT)`;
    return refuse(request.timeoutSeconds.key, allowed, `A timeout of ${formatDuration(request.timeoutSeconds.value)} (${code(request.timeoutSeconds.key)}) is longer than this deployment allows: ${allowed}.`);
  }
  return { ok: true };
}
