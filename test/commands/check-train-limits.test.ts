import { describe, expect, it } from "vitest";
import { checkTrainLimits } from "../../src/commands/check-train-limits.js";
import type { RunCommand } from "../../src/commands/train-command.js";
import { trainConfigSchema } from "../../src/config/train-config.js";

const config = trainConfigSchema.parse({
  gpus: {
    a10g: { queue: "gpu-spot", on_demand_queue: "gpu-od", job_definition: "runner:3", vcpus: 4, memory: "16GiB" },
    t4: { queue: "t4", job_definition: "runner:1", vcpus: 2, memory: "8GiB" },
  },
  defaults: { timeout: "1h" },
  limits: { max_gpus: 2, max_timeout: "6h", max_concurrent_per_repo: 3, max_concurrent_per_pr: 1 },
});
const idle = { inRepo: 0, inPullRequest: 0 };
const run = (flags: Partial<RunCommand> = {}): RunCommand => ({ kind: "run", parameters: {}, ...flags });

function refusal(command: RunCommand, active = idle): string {
  const result = checkTrainLimits(command, config, active);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.resources)}`);
  return result.message;
}

describe("checkTrainLimits", () => {
  it("fills resources from the defaults", () => {
    expect(checkTrainLimits(run(), config, idle)).toEqual({
      ok: true,
      resources: { gpuType: "a10g", gpus: 1, vcpus: 4, memoryMiB: 16384, timeoutSeconds: 3600, spot: true, queue: "gpu-spot", jobDefinition: "runner:3" },
    });
  });

  it("scales per-GPU resources and honours the flags", () => {
    const result = checkTrainLimits(run({ gpu: "a10g", gpus: 2, memoryMiB: 20000, timeoutSeconds: 7200, spot: false }), config, idle);
    expect(result).toEqual({
      ok: true,
      resources: { gpuType: "a10g", gpus: 2, vcpus: 8, memoryMiB: 20000, timeoutSeconds: 7200, spot: false, queue: "gpu-od", jobDefinition: "runner:3" },
    });
  });

  it("falls back to the type's queue when no capacity-specific queue is set", () => {
    const result = checkTrainLimits(run({ gpu: "t4", spot: false }), config, idle);
    expect(result.ok && result.resources.queue).toBe("t4");
  });

  it("lowers a configured default memory above what the type offers", () => {
    const roomy = trainConfigSchema.parse({ gpus: { t4: { queue: "q", job_definition: "d", vcpus: 2, memory: "8GiB" } }, defaults: { memory: "32GiB" } });
    const result = checkTrainLimits(run(), roomy, idle);
    expect(result.ok && result.resources.memoryMiB).toBe(8192);
  });

  it("refuses each limit with the key that sets it", () => {
    expect(refusal(run({ gpu: "h100" }))).toBe(
      "The GPU type `h100` is not offered here; this repository allows `a10g`, `t4` (`train.gpus` in `.github/nbtrain.yml`).",
    );
    expect(refusal(run({ gpu: "constructor" }))).toMatch(/not offered/);
    expect(refusal(run({ gpus: 4 }))).toBe("`--gpus 4` is over this repository's limit of 2 (`train.limits.max_gpus`).");
    expect(refusal(run({ timeoutSeconds: 8 * 3600 }))).toBe("`--timeout 8h` is over this repository's limit of 6h (`train.limits.max_timeout`).");
    expect(refusal(run({ timeoutSeconds: 30 }))).toMatch(/too short; ask for at least 1m/);
    expect(refusal(run({ memoryMiB: 65536 }))).toBe(
      "`--memory 64GiB` is more than 1 `a10g` GPU offers (16GiB); ask for at most `--memory 16GiB` or add `--gpus`.",
    );
    expect(refusal(run(), { inRepo: 3, inPullRequest: 0 })).toMatch(/repository already has 3 active runs.*max_concurrent_per_repo/);
    expect(refusal(run(), { inRepo: 1, inPullRequest: 1 })).toMatch(/pull request already has 1 active run,.*max_concurrent_per_pr/);
  });
});

describe("checkTrainLimits on any command", () => {
  it("either refuses or resolves resources within every limit", async () => {
    const fc = (await import("fast-check")).default;
    const command = fc.record(
      {
        gpu: fc.constantFrom("a10g", "t4", "h100"),
        gpus: fc.integer({ min: 1, max: 9 }),
        memoryMiB: fc.integer({ min: 1, max: 200_000 }),
        timeoutSeconds: fc.integer({ min: 1, max: 100_000 }),
        spot: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    const active = fc.record({ inRepo: fc.nat(5), inPullRequest: fc.nat(3) });
    fc.assert(
      fc.property(command, active, (flags, runs) => {
        const result = checkTrainLimits(run(flags), config, runs);
        if (!result.ok) return result.message.length > 20;
        const { resources } = result;
        const type = config.gpus[resources.gpuType]!;
        return (
          resources.gpus <= config.limits.max_gpus &&
          resources.timeoutSeconds <= config.limits.max_timeout &&
          resources.timeoutSeconds >= 60 &&
          resources.memoryMiB <= type.memory * resources.gpus &&
          resources.vcpus === type.vcpus * resources.gpus &&
          runs.inRepo < config.limits.max_concurrent_per_repo &&
          runs.inPullRequest < config.limits.max_concurrent_per_pr
        );
      }),
      { numRuns: 2000 },
    );
  });
});
