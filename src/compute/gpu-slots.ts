import type { TrainJob } from "./compute.js";

/**
 * The local backend's slots: one per GPU (or as many as configured), each held by at most one run.
 * With GPUs, a job takes as many slots as it asks GPUs and sees them as `CUDA_VISIBLE_DEVICES`;
 * without, every job takes one slot.
 */
export class GpuSlots {
  private readonly holders: (string | null)[];
  private readonly useGpus: boolean;

  constructor(options: { gpuCount: number; capacity: number }) {
    this.useGpus = options.gpuCount > 0;
    this.holders = Array.from({ length: options.capacity }, () => null);
  }

  get capacity(): number {
    return this.holders.length;
  }

  /** How many slots a job takes. */
  needed(job: TrainJob): number {
    return this.useGpus ? Math.max(1, job.resources.gpus) : 1;
  }

  /** The free slots, lowest first. */
  free(): number[] {
    return this.holders.flatMap((holder, index) => (holder === null ? [index] : []));
  }

  take(runId: string, slots: readonly number[]): void {
    for (const slot of slots) this.holders[slot] = runId;
  }

  release(slots: readonly number[]): void {
    for (const slot of slots) this.holders[slot] = null;
  }

  /** `CUDA_VISIBLE_DEVICES` for a run holding these slots; none on a machine without GPUs. */
  visibleDevices(slots: readonly number[]): string | undefined {
    return this.useGpus ? slots.join(",") : undefined;
  }
}
