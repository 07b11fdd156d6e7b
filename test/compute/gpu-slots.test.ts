import { describe, expect, it } from "vitest";
import { GpuSlots } from "../../src/compute/gpu-slots.js";
import { trainJob } from "./train-job-fixture.js";

const withGpus = (gpus: number) => trainJob({ resources: { ...trainJob().resources, gpus } });

describe("GpuSlots", () => {
  it("gives a job as many slots as GPUs it asks, at least one, and names them as CUDA devices", () => {
    const slots = new GpuSlots({ gpuCount: 4, capacity: 4 });
    expect(slots.needed(withGpus(2))).toBe(2);
    expect(slots.needed(withGpus(0))).toBe(1);
    slots.take("c1", [0, 1]);
    expect(slots.free()).toEqual([2, 3]);
    expect(slots.visibleDevices([2, 3])).toBe("2,3");
    slots.release([0]);
    expect(slots.free()).toEqual([0, 2, 3]);
  });

  it("runs every job in one slot and sets no CUDA devices on a machine without GPUs", () => {
    const slots = new GpuSlots({ gpuCount: 0, capacity: 2 });
    expect(slots.capacity).toBe(2);
    expect(slots.needed(withGpus(4))).toBe(1);
    expect(slots.visibleDevices([1])).toBeUndefined();
  });
});
