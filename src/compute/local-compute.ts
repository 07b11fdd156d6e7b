import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { isRunId } from "../commands/derive-run-id.js";
import { ComputeError } from "./compute-error.js";
import {
  TERMINAL_STATUSES,
  type CancelResult,
  type Compute,
  type JobSnapshot,
  type JobStateEvent,
  type JobStateListener,
  type SubmitResult,
  type TrainJob,
} from "./compute.js";
import { detectGpuCount } from "./detect-gpu-count.js";
import { GpuSlots } from "./gpu-slots.js";
import { JobEventBus } from "./job-event-bus.js";
import type { LocalRunRecord as RunRecord } from "./local-run-record.js";
import { LocalRunQueue } from "./local-run-queue.js";
import { terminateGroup } from "./process-group.js";
import { isSameProcessAlive, processStartTime } from "./process-identity.js";
import { runnerChildEnv } from "./runner-child-env.js";
import { RunnerProcess, type RunnerCommand, type RunnerEnd } from "./runner-process.js";
import { targetOf } from "./target-of.js";

export interface LocalComputeOptions {
  /** The state folder, usually `<data dir>/.nbtrain`: the queue lives in `queue/`, logs in `logs/`. */
  stateDir: string;
  /** The runner to start; `nbtrain-runner` on PATH when left out. */
  runner?: RunnerCommand;
  /**
   * GPUs on this machine; detected with `nvidia-smi -L` when left out. With GPUs, a job takes as
   * many slots as it asks GPUs and sees them as `CUDA_VISIBLE_DEVICES`; without, one job runs at a time.
   */
  gpuCount?: number;
  /** Overrides the number of slots (default: the GPU count, or 1). */
  concurrency?: number;
  /** Attempts per run (default 3). An attempt killed by a signal, or cut short by a server restart, is retried. */
  attempts?: number;
  /** Time between SIGTERM and SIGKILL on cancel, timeout and shutdown (default 30 s, as on Batch). */
  graceMs?: number;
  /** What a restart does with runs that were running: re-run them from their checkpoints (default) or fail them. */
  onRestart?: "resume" | "fail";
  /** Where the allow-listed variables come from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Extra variable names the runner may inherit, besides the built-in allow-list. */
  passEnv?: readonly string[];
  /** Finished runs stay in the queue folder, for `status`, this long after they end (default 14 days). */
  keepFinishedMs?: number;
  clock?: () => Date;
  /** Problems that cannot be reported to a run: an unreadable queue file, a failing listener. */
  log?: (message: string, error?: unknown) => void;
}

interface ActiveRun {
  runner: RunnerProcess;
  slots: number[];
  exited: Promise<void>;
}

/**
 * The embedded backend: runs each job as a child process of the server, as many at once as there
 * are GPUs (or one). The queue is persisted under `stateDir/queue/`, one JSON file per run, so a
 * restart loses nothing: queued runs stay queued, and runs that were running when the server
 * stopped are re-run as their next attempt (the runner resumes from the latest checkpoint) or, with
 * `onRestart: "fail"` or no attempts left, failed with a reason. Either way the check run is
 * completed, never left in progress.
 *
 * Call `subscribe`, then `start()`, before `submit`.
 */
export class LocalCompute implements Compute {
  private readonly bus: JobEventBus;
  private readonly records = new Map<string, RunRecord>();
  private readonly active = new Map<string, ActiveRun>();
  private readonly queue: LocalRunQueue;
  private readonly logDir: string;
  private readonly attempts: number;
  private readonly graceMs: number;
  private readonly log: (message: string, error?: unknown) => void;
  private readonly clock: () => Date;
  private serial: Promise<unknown> = Promise.resolve();
  private slots = new GpuSlots({ gpuCount: 0, capacity: 0 });
  private nextSeq = 0;
  private state: "new" | "started" | "closing" | "closed" = "new";

  constructor(private readonly options: LocalComputeOptions) {
    this.logDir = join(options.stateDir, "logs");
    this.attempts = options.attempts ?? 3;
    this.graceMs = options.graceMs ?? 30_000;
    this.clock = options.clock ?? (() => new Date());
    this.log = options.log ?? (() => {});
    this.queue = new LocalRunQueue(join(options.stateDir, "queue"), this.log);
    if (!Number.isInteger(this.attempts) || this.attempts < 1) throw new ComputeError(`attempts must be a positive integer; got ${this.attempts}.`);
    this.bus = new JobEventBus((error, event) => this.log(`a job state listener failed on ${event.runId} ${event.status}`, error));
  }

  /** The number of jobs that can run at once (GPU slots), known after `start()`. */
  get capacity(): number {
    return this.slots.capacity;
  }

  /** Loads the persisted queue, recovers runs interrupted by a restart, and starts what fits. */
  async start(): Promise<void> {
    if (this.state !== "new") throw new ComputeError("LocalCompute.start() was already called.");
    const gpuCount = this.options.gpuCount ?? (await detectGpuCount());
    const capacity = this.options.concurrency ?? Math.max(1, gpuCount);
    if (!Number.isInteger(capacity) || capacity < 1) throw new ComputeError(`concurrency must be a positive integer; got ${capacity}.`);
    this.slots = new GpuSlots({ gpuCount, capacity });
    await this.queue.prepare();
    await mkdir(this.logDir, { recursive: true });
    this.state = "started";
    await this.exclusive(async () => {
      const keepFinishedMs = this.options.keepFinishedMs ?? 14 * 86_400_000;
      for (const record of await this.queue.load()) {
        if (TERMINAL_STATUSES.has(record.status) && this.clock().getTime() - Date.parse(record.updatedAt) > keepFinishedMs) {
          await this.queue.remove(record.job.runId);
          continue;
        }
        this.records.set(record.job.runId, record);
        this.nextSeq = Math.max(this.nextSeq, record.seq + 1);
      }
      for (const record of this.ordered()) {
        if (record.status === "starting" || record.status === "running") await this.recover(record);
      }
    });
    await this.schedule();
  }

  async submit(job: TrainJob): Promise<SubmitResult> {
    this.assertStarted();
    if (!isRunId(job.runId)) throw new ComputeError(`"${job.runId}" is not a run id from deriveRunId; refusing to use it as a file name.`);
    const needed = this.slots.needed(job);
    const capacity = this.slots.capacity;
    if (needed > capacity) {
      throw new ComputeError(
        `Run ${job.runId} asks for ${job.resources.gpus} GPUs; this machine has ${capacity}. Ask for --gpus ${capacity} or run it on AWS Batch.`,
      );
    }
    const result = await this.exclusive(async () => {
      if (this.records.has(job.runId)) return { backendJobId: job.runId, existing: true };
      const record: RunRecord = { version: 1, seq: this.nextSeq++, job, status: "queued", attempt: 1, updatedAt: this.now() };
      this.records.set(job.runId, record);
      await this.transition(record, { status: "queued" });
      return { backendJobId: job.runId, existing: false };
    });
    if (!result.existing) await this.schedule();
    return result;
  }

  async cancel(runId: string, options: { reason?: string } = {}): Promise<CancelResult> {
    this.assertStarted();
    const reason = options.reason ? `cancelled: ${options.reason}` : "cancelled";
    return this.exclusive(async () => {
      const record = this.records.get(runId);
      if (!record) return "not-found";
      if (TERMINAL_STATUSES.has(record.status)) return "already-finished";
      const run = this.active.get(runId);
      if (!run) {
        await this.transition(record, { status: "cancelled", reason });
        return "cancelled";
      }
      // The `cancelled` event follows when the process group has exited.
      record.cancelReason = reason;
      await this.queue.write(record);
      run.runner.stop();
      return "cancelled";
    });
  }

  async status(runId: string): Promise<JobSnapshot | null> {
    const record = this.records.get(runId);
    return record ? { ...this.eventOf(record), backendJobId: runId } : null;
  }

  subscribe(listener: JobStateListener): () => void {
    return this.bus.subscribe(listener);
  }

  /**
   * Stops the runners (SIGTERM, then SIGKILL after the grace period) and waits for them. Their
   * records stay `running`, so the next `start()` on this state folder resumes them.
   */
  async close(): Promise<void> {
    if (this.state === "closed" || this.state === "closing") return;
    this.state = "closing";
    // A launch already under way registers its process first; nothing new starts once closing.
    await this.serial.catch(() => {});
    const runs = [...this.active.values()];
    for (const run of runs) run.runner.stop();
    await Promise.all(runs.map((run) => run.exited));
    await this.serial.catch(() => {});
    await this.bus.drain();
    this.state = "closed";
  }

  /** Settles when every event so far has been delivered to the listeners. */
  drain(): Promise<void> {
    return this.bus.drain();
  }

  private async recover(record: RunRecord): Promise<void> {
    const interrupted = record.attempt;
    if (record.pid !== undefined && isSameProcessAlive(record.pid, record.pidStartTime)) {
      // The runner outlived the server that started it; nobody can watch its exit, so stop it
      // (SIGTERM lets it sync a checkpoint) and run the attempt again under this server.
      await terminateGroup(record.pid, record.pidStartTime, this.graceMs);
    }
    if (record.cancelReason !== undefined) {
      await this.transition(record, { status: "cancelled", reason: record.cancelReason });
      return;
    }
    const why = `the nbtrain server stopped while attempt ${interrupted} was running`;
    if (this.options.onRestart === "fail") {
      await this.transition(record, { status: "failed", reason: `${why}; this server fails interrupted runs (onRestart: fail). Comment /train again to re-run.` });
    } else if (interrupted >= this.attempts) {
      await this.transition(record, { status: "failed", reason: `${why}, and all ${this.attempts} attempts are used. Comment /train again to re-run.` });
    } else {
      await this.transition(record, { status: "queued", attempt: interrupted + 1, reason: `retrying: ${why}`, retryOf: { attempt: interrupted, reason: why } });
    }
  }

  /** Starts queued runs, oldest first, while their slots are free. Strict FIFO: a big job is never starved. */
  private schedule(): Promise<void> {
    return this.exclusive(async () => {
      if (this.state !== "started") return;
      for (const record of this.ordered()) {
        if (record.status !== "queued") continue;
        const free = this.slots.free();
        const needed = this.slots.needed(record.job);
        if (needed > free.length) return;
        await this.launch(record, free.slice(0, needed));
      }
    });
  }

  private async launch(record: RunRecord, slots: number[]): Promise<void> {
    const { job } = record;
    await this.transition(record, { status: "starting" });
    const invocation = (this.options.runner ?? defaultRunner)(job, record.attempt);
    let settle!: () => void;
    const exited = new Promise<void>((resolve) => (settle = resolve));
    const started = RunnerProcess.start({
      invocation,
      env: runnerChildEnv({
        source: this.options.env ?? process.env,
        passEnv: this.options.passEnv ?? [],
        job,
        attempt: record.attempt,
        cudaVisibleDevices: this.slots.visibleDevices(slots),
        extra: invocation.env ?? {},
      }),
      logPath: this.logPath(record),
      timeoutMs: job.resources.timeoutSeconds * 1000,
      graceMs: this.graceMs,
      onSpawn: (pid) => {
        void this.exclusive(async () => {
          if (record.status !== "starting") return;
          record.pid = pid;
          record.pidStartTime = pid === undefined ? undefined : processStartTime(pid);
          await this.transition(record, { status: "running" });
        });
      },
      onEnd: (end) => {
        const change = end.kind === "spawn-error" ? { status: "failed" as const, reason: `could not start the runner (${invocation.command}): ${end.message}` } : this.outcome(record, end);
        void this.finish(record, run, change).then(settle);
      },
    });
    if (!started.ok) {
      await this.transition(record, { status: "failed", reason: `could not start the runner (${invocation.command}): ${errorMessage(started.error)}` });
      return;
    }
    this.slots.take(job.runId, slots);
    const run: ActiveRun = { runner: started.process, slots, exited };
    this.active.set(job.runId, run);
  }

  private outcome(record: RunRecord, end: Extract<RunnerEnd, { kind: "exit" }>): Partial<RunRecord> | null {
    if (this.state === "closing") return null;
    if (record.cancelReason !== undefined) return { status: "cancelled", reason: record.cancelReason };
    if (end.timedOut) {
      return { status: "failed", reason: `timed out after ${record.job.resources.timeoutSeconds}s (--timeout); the run was stopped` };
    }
    const { code, signal } = end;
    if (code === 0) return { status: "succeeded", exitCode: 0 };
    if (code !== null) return { status: "failed", exitCode: code, reason: `the runner exited with code ${code}; see its log` };
    const why = `the runner was killed by ${signal ?? "a signal"}`;
    if (record.attempt < this.attempts) {
      return { status: "queued", attempt: record.attempt + 1, reason: `retrying: ${why}`, retryOf: { attempt: record.attempt, reason: why } };
    }
    return { status: "failed", reason: `${why}, and all ${this.attempts} attempts are used` };
  }

  private async finish(record: RunRecord, run: ActiveRun, change: Partial<RunRecord> | null): Promise<void> {
    await this.exclusive(async () => {
      run.runner.dispose();
      this.slots.release(run.slots);
      this.active.delete(record.job.runId);
      if (change === null) return;
      record.pid = undefined;
      record.pidStartTime = undefined;
      await this.transition(record, change);
    });
    await this.schedule();
  }

  /** Applies a change, persists it, then emits the event, in that order: what was reported is on disk. */
  private async transition(record: RunRecord, change: Partial<Pick<RunRecord, "status" | "attempt" | "reason" | "retryOf" | "exitCode">>): Promise<void> {
    // What a state says (reason, retryOf, exit code) belongs to that state alone; the attempt carries over.
    record.reason = change.reason;
    record.retryOf = change.retryOf;
    record.exitCode = change.exitCode;
    Object.assign(record, change, { updatedAt: this.now() });
    await this.queue.write(record);
    void this.bus.emit(this.eventOf(record));
  }

  private eventOf(record: RunRecord): JobStateEvent {
    return {
      runId: record.job.runId,
      target: targetOf(record.job),
      status: record.status,
      attempt: record.attempt,
      ...(record.reason === undefined ? {} : { reason: record.reason }),
      ...(record.retryOf === undefined ? {} : { retryOf: record.retryOf }),
      ...(record.exitCode === undefined ? {} : { exitCode: record.exitCode }),
      at: record.updatedAt,
      backendJobId: record.job.runId,
      logs: { kind: "file", path: this.logPath(record) },
    };
  }

  private ordered(): RunRecord[] {
    return [...this.records.values()].sort((a, b) => a.seq - b.seq);
  }

  private logPath(record: RunRecord): string {
    return join(this.logDir, record.job.runId, `attempt-${record.attempt}.log`);
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private assertStarted(): void {
    if (this.state !== "started") throw new ComputeError(`LocalCompute is ${this.state === "new" ? "not started: call start() first" : "closed"}.`);
  }

  /** Runs state changes one at a time, so a cancel never races an exit. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const next = this.serial.then(task, task);
    this.serial = next.catch((error) => this.log("a local compute state change failed", error));
    return next;
  }
}

const defaultRunner: RunnerCommand = () => ({ command: "nbtrain-runner", args: [] });

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
