import type { TrainConfig } from "../config/train-config.js";
import { formatDuration } from "./format-duration.js";
import { formatMemory } from "./format-memory.js";
import type { JobResources } from "./job-resources.js";
import type { RunCommand } from "./train-command.js";

/** Runs not yet finished (queued, starting or running), counted by the caller. */
export interface ActiveRuns {
  inRepo: number;
  inPullRequest: number;
}

export type LimitCheck = { ok: true; resources: JobResources; budgetSeconds?: number } | { ok: false; message: string };

/** AWS Batch refuses an attempt timeout under 60 seconds. */
export const MIN_TIMEOUT_SECONDS = 60;

/**
 * Fills a command's resources from the repo config's defaults and checks them against its limits.
 * A refusal says which limit, where it is configured and what to ask for instead.
 */
export function checkTrainLimits(command: RunCommand, config: TrainConfig, active: ActiveRuns): LimitCheck {
  const refuse = (message: string): LimitCheck => ({ ok: false, message });
  const { limits } = config;

  const allowed = Object.keys(config.gpus);
  const gpuType = command.gpu ?? config.defaults.gpu;
  const type = Object.hasOwn(config.gpus, gpuType) ? config.gpus[gpuType] : undefined;
  if (type === undefined) {
    return refuse(
      `The GPU type \`${gpuType}\` is not offered here; this repository allows ${allowed.map((t) => `\`${t}\``).join(", ")} (\`train.gpus\` in \`.github/nbtrain.yml\`).`,
    );
  }

  const gpus = command.gpus ?? config.defaults.gpus;
  if (gpus > limits.max_gpus) {
    return refuse(`\`--gpus ${gpus}\` is over this repository's limit of ${limits.max_gpus} (\`train.limits.max_gpus\`).`);
  }

  const timeoutSeconds = command.timeoutSeconds ?? config.defaults.timeout;
  if (timeoutSeconds > limits.max_timeout) {
    return refuse(
      `\`--timeout ${formatDuration(timeoutSeconds)}\` is over this repository's limit of ${formatDuration(limits.max_timeout)} (\`train.limits.max_timeout\`).`,
    );
  }
  if (timeoutSeconds < MIN_TIMEOUT_SECONDS) {
    return refuse(`\`--timeout ${formatDuration(timeoutSeconds)}\` is too short; ask for at least ${formatDuration(MIN_TIMEOUT_SECONDS)}.`);
  }

  const budgetSeconds = command.budgetSeconds ?? config.defaults.budget;
  if (command.budgetSeconds !== undefined && command.budgetSeconds > limits.max_budget) {
    return refuse(
      `\`--budget ${formatDuration(command.budgetSeconds)}\` is over this repository's limit of ${formatDuration(limits.max_budget)} (\`train.limits.max_budget\`); ask for at most \`--budget ${formatDuration(limits.max_budget)}\`.`,
    );
  }

  const ceiling = type.memory * gpus;
  let memoryMiB: number;
  if (command.memoryMiB !== undefined) {
    if (command.memoryMiB > ceiling) {
      return refuse(
        `\`--memory ${formatMemory(command.memoryMiB)}\` is more than ${gpus} \`${gpuType}\` GPU${gpus > 1 ? "s" : ""} offer${gpus > 1 ? "" : "s"} (${formatMemory(ceiling)}); ask for at most \`--memory ${formatMemory(ceiling)}\`${gpus < limits.max_gpus ? " or add `--gpus`" : ""}.`,
      );
    }
    memoryMiB = command.memoryMiB;
  } else {
    // A configured default above what this type offers is lowered rather than refused: the commenter did not ask for it.
    memoryMiB = Math.min(config.defaults.memory ?? ceiling, ceiling);
  }

  if (active.inRepo >= limits.max_concurrent_per_repo) {
    return refuse(
      `This repository already has ${active.inRepo} active run${active.inRepo === 1 ? "" : "s"}, its limit (\`train.limits.max_concurrent_per_repo\`); wait for one to finish or \`/train cancel\` one.`,
    );
  }
  if (active.inPullRequest >= limits.max_concurrent_per_pr) {
    return refuse(
      `This pull request already has ${active.inPullRequest} active run${active.inPullRequest === 1 ? "" : "s"}, its limit (\`train.limits.max_concurrent_per_pr\`); wait for it to finish or \`/train cancel\` it.`,
    );
  }

  const spot = command.spot ?? config.spot;
  return {
    ok: true,
    // A budget no longer than one segment chains nothing: it is left out.
    ...(budgetSeconds !== undefined && budgetSeconds > timeoutSeconds ? { budgetSeconds } : {}),
    resources: {
      gpuType,
      gpus,
      vcpus: type.vcpus * gpus,
      memoryMiB,
      timeoutSeconds,
      spot,
      queue: (spot ? type.spot_queue : type.on_demand_queue) ?? type.queue,
      jobDefinition: type.job_definition,
    },
  };
}
