import { describe, expect, it } from "vitest";
import { checkTrainLimits } from "../../src/commands/check-train-limits.js";
import { resolveTrainRequest } from "../../src/commands/resolve-train-request.js";
import type { RunCommand } from "../../src/commands/train-command.js";
import { batchResourceAllowed, matchesPattern, storeAllowed } from "../../src/config/allow-list.js";
import { parseDeploymentPolicy, type DeploymentPolicy } from "../../src/config/deployment-policy.js";
import { judgeTrainConfig } from "../../src/config/judge-train-config.js";
import { judgeTrainRequest } from "../../src/config/judge-train-request.js";
import { trainConfigSchema } from "../../src/config/train-config.js";

const STORE = "s3://nbtrain-checkpoints/runs";

describe("parseDeploymentPolicy", () => {
  it("is closed when nothing is set: the deployment's own queue, its job definitions, its store, and the repository defaults' caps", () => {
    expect(parseDeploymentPolicy({ NBTRAIN_BATCH_QUEUES: "nbtrain" }, STORE)).toEqual({
      queues: ["nbtrain"],
      jobDefinitions: ["nbtrain-runner", "nbtrain-runner-*"],
      stores: [STORE],
      maxGpus: 1,
      maxMemoryMiB: 16 * 1024,
      maxTimeoutSeconds: 6 * 3600,
    });
    expect(parseDeploymentPolicy({}, "file:///srv/nbtrain")).toMatchObject({ queues: [], jobDefinitions: [], stores: ["file:///srv/nbtrain"] });
  });

  it("reads lists of ARNs and name patterns and caps with units", () => {
    const policy = parseDeploymentPolicy(
      {
        NBTRAIN_BATCH_QUEUES: "nbtrain, team-*, arn:aws:batch:eu-west-1:123456789012:job-queue/shared-gpu",
        NBTRAIN_BATCH_JOB_DEFINITIONS: "nbtrain-runner*,arn:aws:batch:eu-west-1:123456789012:job-definition/shared:3",
        NBTRAIN_ALLOWED_STORES: `${STORE},gdrive://1AbCdEf/nbtrain`,
        NBTRAIN_MAX_GPUS: "4",
        NBTRAIN_MAX_MEMORY: "64GiB",
        NBTRAIN_MAX_TIMEOUT: "12h",
      },
      STORE,
    );
    expect(policy).toEqual({
      queues: ["nbtrain", "team-*", "arn:aws:batch:eu-west-1:123456789012:job-queue/shared-gpu"],
      jobDefinitions: ["nbtrain-runner*", "arn:aws:batch:eu-west-1:123456789012:job-definition/shared:3"],
      stores: [STORE, "gdrive://1AbCdEf/nbtrain"],
      maxGpus: 4,
      maxMemoryMiB: 64 * 1024,
      maxTimeoutSeconds: 12 * 3600,
    });
  });

  it("names the variable to fix", () => {
    expect(() => parseDeploymentPolicy({ NBTRAIN_MAX_GPUS: "lots" }, STORE)).toThrow(/^Invalid deployment policy: NBTRAIN_MAX_GPUS .*Fix the environment/u);
    expect(() => parseDeploymentPolicy({ NBTRAIN_MAX_MEMORY: "huge" }, STORE)).toThrow(/NBTRAIN_MAX_MEMORY "huge" is not a memory size/u);
    expect(() => parseDeploymentPolicy({ NBTRAIN_BATCH_QUEUES: "arn:aws:batch:eu-west-1:1:job-definition/x" }, STORE)).toThrow(/NBTRAIN_BATCH_QUEUES\.0 an ARN entry must be a Batch job-queue ARN/u);
    expect(() => parseDeploymentPolicy({ NBTRAIN_ALLOWED_STORES: "https://example.org/x" }, STORE)).toThrow(/NBTRAIN_ALLOWED_STORES\.0 a store location is/u);
    expect(() => parseDeploymentPolicy({ NBTRAIN_ALLOWED_STORES: "s3://other-bucket/runs" }, STORE)).toThrow(/NBTRAIN_STORE s3:\/\/nbtrain-checkpoints\/runs is not within NBTRAIN_ALLOWED_STORES/u);
  });
});

describe("allow-list matching", () => {
  it("matches names against name patterns and ARNs against ARN patterns, never across", () => {
    expect(matchesPattern("team-vision", "team-*")).toBe(true);
    expect(matchesPattern("steam-vision", "team-*")).toBe(false);
    expect(matchesPattern("team.x", "team?x")).toBe(false);
    expect(batchResourceAllowed("team-vision", ["team-*"])).toBe(true);
    expect(batchResourceAllowed("arn:aws:batch:eu-west-1:999999999999:job-queue/team-vision", ["team-*"])).toBe(false);
    expect(batchResourceAllowed("arn:aws:batch:eu-west-1:123456789012:job-queue/team-vision", ["arn:aws:batch:eu-west-1:123456789012:job-queue/team-*"])).toBe(true);
    expect(batchResourceAllowed("nbtrain-runner:7", ["nbtrain-runner"])).toBe(true);
    expect(batchResourceAllowed("shared:4", ["shared:3"])).toBe(false);
    expect(batchResourceAllowed("anything", [])).toBe(false);
  });

  it("admits a store location under an entry by whole path segments and refuses '..'", () => {
    expect(storeAllowed("s3://b/runs", ["s3://b/runs/"])).toBe(true);
    expect(storeAllowed("s3://b/runs/team-a", ["s3://b/runs"])).toBe(true);
    expect(storeAllowed("s3://b/runs2", ["s3://b/runs"])).toBe(false);
    expect(storeAllowed("s3://b/runs/../secrets", ["s3://b/runs"])).toBe(false);
    expect(storeAllowed("gdrive://folder/x", ["s3://b"])).toBe(false);
  });
});

describe("judgeTrainRequest", () => {
  const policy: DeploymentPolicy = {
    queues: ["nbtrain", "team-*"],
    jobDefinitions: ["nbtrain-runner*"],
    stores: [STORE],
    maxGpus: 2,
    maxMemoryMiB: 32 * 1024,
    maxTimeoutSeconds: 12 * 3600,
  };
  const config = trainConfigSchema.parse({
    gpus: { t4: { queue: "nbtrain", spot_queue: "nbtrain-spot", job_definition: "nbtrain-runner", vcpus: 4, memory: "16GiB" }, big: { queue: "other", job_definition: "admin-role-job", vcpus: 8, memory: "64GiB" } },
    limits: { max_gpus: 8, max_timeout: "48h" },
  });
  const command = (flags: Partial<RunCommand> = {}): RunCommand => ({ kind: "run", parameters: {}, spot: false, ...flags });
  const judge = (flags: Partial<RunCommand>, backend: "aws-batch" | "local" = "aws-batch", store = STORE) => {
    const limits = checkTrainLimits(command(flags), config, { inRepo: 0, inPullRequest: 0 });
    if (!limits.ok) throw new Error(limits.message);
    return judgeTrainRequest(resolveTrainRequest(command(flags), config, limits.resources, { backend, store }), policy);
  };

  it("allows what the operator allows", () => {
    expect(judge({})).toEqual({ ok: true });
    expect(judge({ gpus: 2, memoryMiB: 32 * 1024, timeoutSeconds: 12 * 3600 })).toEqual({ ok: true });
  });

  it("refuses a queue, naming the repository key and what the operator allows", () => {
    expect(judge({ spot: true })).toEqual({
      ok: false,
      key: "train.gpus.t4.spot_queue",
      allowed: "`nbtrain`, `team-*` (NBTRAIN_BATCH_QUEUES)",
      message: "The job queue `nbtrain-spot` (`train.gpus.t4.spot_queue`) is not one this deployment allows; the operator allows `nbtrain`, `team-*` (NBTRAIN_BATCH_QUEUES). Change `train.gpus.t4.spot_queue`, or ask the deployment's operator.",
    });
    expect(judge({ gpu: "big" })).toMatchObject({ ok: false, key: "train.gpus.big.queue" });
  });

  it("refuses a job definition outside the list", () => {
    const config2 = trainConfigSchema.parse({ gpus: { t4: { queue: "team-a", job_definition: "admin-role-job", vcpus: 4, memory: "16GiB" } } });
    const limits = checkTrainLimits(command(), config2, { inRepo: 0, inPullRequest: 0 });
    if (!limits.ok) throw new Error(limits.message);
    expect(judgeTrainRequest(resolveTrainRequest(command(), config2, limits.resources, { backend: "aws-batch", store: STORE }), policy)).toMatchObject({
      ok: false,
      key: "train.gpus.t4.job_definition",
      allowed: "`nbtrain-runner*` (NBTRAIN_BATCH_JOB_DEFINITIONS)",
    });
  });

  it("ignores queues and job definitions on the local backend, but not the caps", () => {
    expect(judge({ gpu: "big", memoryMiB: 16 * 1024 }, "local")).toEqual({ ok: true });
    expect(judge({ gpus: 3 }, "local")).toMatchObject({ ok: false, key: "--gpus", allowed: "at most 2 GPUs per run (NBTRAIN_MAX_GPUS)" });
  });

  it("refuses GPUs, memory and time over the caps, naming the flag or the config key", () => {
    expect(judge({ gpus: 3 })).toMatchObject({ ok: false, key: "--gpus", message: expect.stringContaining("3 GPUs (`--gpus`) is more than this deployment allows: at most 2 GPUs per run (NBTRAIN_MAX_GPUS)") });
    expect(judge({ gpu: "big", memoryMiB: 33 * 1024 }, "local")).toMatchObject({ ok: false, key: "--memory", allowed: "at most 32GiB per run (NBTRAIN_MAX_MEMORY)" });
    expect(judge({ gpu: "big" }, "local")).toMatchObject({ ok: false, key: "train.gpus.big.memory" });
    expect(judge({ timeoutSeconds: 13 * 3600 })).toMatchObject({ ok: false, key: "--timeout", allowed: "at most 12h per run (NBTRAIN_MAX_TIMEOUT)" });
    const defaults = trainConfigSchema.parse({ gpus: { t4: { queue: "nbtrain", job_definition: "nbtrain-runner", vcpus: 4, memory: "16GiB" } }, defaults: { gpus: 4 }, limits: { max_gpus: 4 } });
    const limits = checkTrainLimits(command(), defaults, { inRepo: 0, inPullRequest: 0 });
    if (!limits.ok) throw new Error(limits.message);
    expect(judgeTrainRequest(resolveTrainRequest(command(), defaults, limits.resources, { backend: "aws-batch", store: STORE }), policy)).toMatchObject({ key: "train.defaults.gpus" });
  });

  it("refuses a store location outside the list, for the run's store and for where it restores from", () => {
    expect(judge({}, "aws-batch", "s3://someone-elses-bucket/runs")).toMatchObject({ ok: false, key: "NBTRAIN_STORE", allowed: `\`${STORE}\` and what lies under them (NBTRAIN_ALLOWED_STORES)` });
    const request = { backend: "local" as const, queue: { value: "", key: "q" }, jobDefinition: { value: "", key: "j" }, gpus: { value: 1, key: "g" }, memoryMiB: { value: 1, key: "m" }, timeoutSeconds: { value: 60, key: "t" }, store: { value: STORE, key: "NBTRAIN_STORE" } };
    expect(judgeTrainRequest({ ...request, from: { value: `${STORE}/team/run-1`, key: "--from" } }, policy)).toEqual({ ok: true });
    expect(judgeTrainRequest({ ...request, from: { value: "gdrive://private-folder", key: "--from" } }, policy)).toMatchObject({ ok: false, key: "--from" });
  });
});

describe("judgeTrainConfig", () => {
  const policy = parseDeploymentPolicy({ NBTRAIN_BATCH_QUEUES: "nbtrain", NBTRAIN_MAX_MEMORY: "32GiB", NBTRAIN_MAX_TIMEOUT: "12h" }, STORE);

  it("finds nothing in the default train section", () => {
    expect(judgeTrainConfig(trainConfigSchema.parse({}), policy, "aws-batch")).toEqual([]);
  });

  it("lists every key outside, and on the local backend only the caps", () => {
    const config = trainConfigSchema.parse({
      gpus: { a: { queue: "nbtrain", spot_queue: "spot", on_demand_queue: "nbtrain", job_definition: "x", vcpus: 4, memory: "64GiB" } },
      defaults: { memory: "48GiB" },
      limits: { max_gpus: 2, max_timeout: "24h" },
    });
    expect(judgeTrainConfig(config, policy, "aws-batch").map((refusal) => refusal.key)).toEqual([
      "train.gpus.a.spot_queue",
      "train.gpus.a.job_definition",
      "train.gpus.a.memory",
      "train.limits.max_gpus",
      "train.limits.max_timeout",
      "train.defaults.memory",
    ]);
    expect(judgeTrainConfig(config, policy, "local").map((refusal) => refusal.key)).toEqual(["train.gpus.a.memory", "train.limits.max_gpus", "train.limits.max_timeout", "train.defaults.memory"]);
    expect(judgeTrainConfig(config, policy, "local")[2]!.message).toBe("1d is longer than this deployment allows a run (12h, NBTRAIN_MAX_TIMEOUT)");
  });
});
