import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { trainConfigSchema } from "../../src/config/train-config.js";

describe("trainConfigSchema", () => {
  it("gives working defaults for an absent section", () => {
    expect(trainConfigSchema.parse({})).toEqual({
      permission: "write",
      gpus: { default: { queue: "nbtrain", job_definition: "nbtrain-runner", vcpus: 4, memory: 16384 } },
      defaults: { gpu: "default", gpus: 1, timeout: 3600 },
      limits: { max_gpus: 1, max_timeout: 21600, max_concurrent_per_repo: 2, max_concurrent_per_pr: 1 },
      spot: true,
      requirements: "off",
      lfs: false,
      baseline: [],
      forks: "approve",
    });
  });

  it("reads train.baseline: notebook globs with their parameters, and refuses what cannot be one", () => {
    expect(trainConfigSchema.parse({ baseline: [{ notebook: "notebooks/*.ipynb", parameters: { epochs: 3, lr: 0.1 } }, { notebook: "train.ipynb" }] }).baseline).toEqual([
      { notebook: "notebooks/*.ipynb", parameters: { epochs: 3, lr: 0.1 } },
      { notebook: "train.ipynb", parameters: {} },
    ]);
    for (const bad of [{ notebook: "../x.ipynb" }, { notebook: "/abs.ipynb" }, { notebook: "a.ipynb", parameters: { "not a name": 1 } }, { notebook: "a.ipynb", extra: 1 }, { notebook: "a.ipynb", parameters: { x: [1] } }]) {
      const parsed = trainConfigSchema.safeParse({ baseline: [bad] });
      expect([bad, parsed.success]).toEqual([bad, false]);
      expect(parsed.error!.issues[0]!.path[0]).toBe("baseline");
    }
  });

  it("reads a full section written in YAML, with sizes and durations as text", () => {
    const yaml = `
permission: maintain
gpus:
  a10g: { queue: gpu-spot, on_demand_queue: gpu-od, job_definition: "nbtrain-runner:3", vcpus: 4, memory: 16GiB }
  t4: { queue: t4, job_definition: nbtrain-runner, vcpus: 4, memory: 15000 }
defaults: { gpu: t4, gpus: 1, memory: 8GiB, timeout: 90m }
limits: { max_gpus: 4, max_timeout: 12h, max_concurrent_per_repo: 3, max_concurrent_per_pr: 2 }
spot: false
requirements: notebook
lfs: true
`;
    const config = trainConfigSchema.parse(parseDocument(yaml).toJS());
    expect(config.gpus.a10g).toEqual({ queue: "gpu-spot", on_demand_queue: "gpu-od", job_definition: "nbtrain-runner:3", vcpus: 4, memory: 16384 });
    expect(config.defaults).toEqual({ gpu: "t4", gpus: 1, memory: 8192, timeout: 5400 });
    expect(config.limits.max_timeout).toBe(43200);
    expect(config.spot).toBe(false);
    expect(config.requirements).toBe("notebook");
    expect(config.lfs).toBe(true);
  });

  it("defaults the GPU type to the first configured one", () => {
    const config = trainConfigSchema.parse({ gpus: { l4: { queue: "q", job_definition: "d", vcpus: 8, memory: "24GiB" } } });
    expect(config.defaults.gpu).toBe("l4");
  });

  it.each([
    [{ permission: "owner" }, "permission"],
    [{ gpus: {} }, "gpus"],
    [{ gpus: { "bad type": { queue: "q", job_definition: "d", vcpus: 1, memory: 1 } } }, "gpus.bad type"],
    [{ gpus: { a: { queue: "q", job_definition: "d", vcpus: 1, memory: "lots" } } }, "gpus.a.memory"],
    [{ gpus: { a: { queue: "q", job_definition: "d", vcpus: 1, memory: 1, extra: 1 } } }, "gpus.a"],
    [{ defaults: { gpu: "h100" } }, "defaults.gpu"],
    [{ defaults: { timeout: "forever" } }, "defaults.timeout"],
    [{ defaults: { gpus: 2 } }, "defaults.gpus"],
    [{ limits: { max_timeout: "30m" } }, "defaults.timeout"],
    [{ limits: { max_concurrent_per_pr: 5 } }, "limits.max_concurrent_per_pr"],
    [{ limits: { max_gpu: 2 } }, "limits"],
    [{ requirements: "all" }, "requirements"],
    [{ spot: "yes" }, "spot"],
    [{ typo: 1 }, ""],
  ])("refuses %j at %s", (input, path) => {
    const result = trainConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join("."))).toContain(path);
  });
});
