import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, closeSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
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
import { JobEventBus } from "./job-event-bus.js";
import { isSameProcessAlive, processStartTime } from "./process-identity.js";
import { runnerEnvironment } from "./runner-environment.js";
import { targetOf } from "./target-of.js";
import { trainJobSchema } from "./train-job-schema.js";
import { writeFileAtomic } from "./write-file-atomic.js";

/** How to start the runner for one attempt of a job. Arguments go to `spawn`, never to a shell. */
export interface RunnerInvocation {
  command: string;
  args: string[];
  /** Added to the job's environment. */
  env?: Record<string, string>;
  cwd?: string;
}

export type RunnerCommand = (job: TrainJob, attempt: number) => RunnerInvocation;

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

/**
 * What a runner inherits from the server. The server's environment holds the App's private key
 * and webhook secret; the job must never see them, so only this allow-list (plus store and
 * toolchain settings) passes.
 */
const INHERITED_ENV = new Set([
  "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP",
  "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX", "LD_LIBRARY_PATH", "CUDA_HOME", "HF_HOME", "TORCH_HOME",
  "XDG_CACHE_HOME", "GOOGLE_APPLICATION_CREDENTIALS", "NBTRAIN_PYTHON", "NBTRAIN_STOP_GRACE",
]);
const INHERITED_PREFIXES = ["LC_", "AWS_", "NBTRAIN_S3_", "NBTRAIN_DRIVE_"];

const statusSchema = z.enum(["queued", "starting", "running", "succeeded", "failed", "cancelled"]);

/** One run on disk. Written atomically on every state change. */
const runRecordSchema = z.object({
  version: z.literal(1),
  seq: z.number().int().nonnegative(),
  job: trainJobSchema,
  status: statusSchema,
  attempt: z.number().int().positive(),
  reason: z.string().optional(),
  retryOf: z.object({ attempt: z.number().int().positive(), reason: z.string() }).optional(),
  exitCode: z.number().int().optional(),
  pid: z.number().int().positive().optional(),
  pidStartTime: z.string().optional(),
  /** Set when a cancel reached a running process; its exit then reads as cancelled. */
  cancelReason: z.string().optional(),
  updatedAt: z.string(),
});

type RunRecord = z.infer<typeof runRecordSchema>;

interface ActiveRun {
  child: ChildProcess;
  slots: number[];
  timedOut: boolean;
  finished: boolean;
  timers: NodeJS.Timeout[];
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
  private readonly queueDir: string;
  private readonly logDir: string;
  private readonly attempts: number;
  private readonly graceMs: number;
  private readonly log: (message: string, error?: unknown) => void;
  private readonly clock: () => Date;
  private serial: Promise<unknown> = Promise.resolve();
  private slots: (string | null)[] = [];
  private useGpus = false;
  private nextSeq = 0;
  private state: "new" | "started" | "closing" | "closed" = "new";

  constructor(private readonly options: LocalComputeOptions) {
    this.queueDir = join(options.stateDir, "queue");
    this.logDir = join(options.stateDir, "logs");
    this.attempts = options.attempts ?? 3;
    this.graceMs = options.graceMs ?? 30_000;
    this.clock = options.clock ?? (() => new Date());
    this.log = options.log ?? (() => {});
    if (!Number.isInteger(this.attempts) || this.attempts < 1) throw new ComputeError(`attempts must be a positive integer; got ${this.attempts}.`);
    this.bus = new JobEventBus((error, event) => this.log(`a job state listener failed on ${event.runId} ${event.status}`, error));
  }

  /** The number of jobs that can run at once (GPU slots), known after `start()`. */
  get capacity(): number {
    return this.slots.length;
  }

  /** Loads the persisted queue, recovers runs interrupted by a restart, and starts what fits. */
  async start(): Promise<void> {
    if (this.state !== "new") throw new ComputeError("LocalCompute.start() was already called.");
    const gpuCount = this.options.gpuCount ?? (await detectGpuCount());
    const capacity = this.options.concurrency ?? Math.max(1, gpuCount);
    if (!Number.isInteger(capacity) || capacity < 1) throw new ComputeError(`concurrency must be a positive integer; got ${capacity}.`);
    this.useGpus = gpuCount > 0;
    this.slots = Array.from({ length: capacity }, () => null);
    await mkdir(this.queueDir, { recursive: true });
    await mkdir(this.logDir, { recursive: true });
    this.state = "started";
    await this.exclusive(async () => {
      const keepFinishedMs = this.options.keepFinishedMs ?? 14 * 86_400_000;
      for (const record of await this.loadRecords()) {
        if (TERMINAL_STATUSES.has(record.status) && this.clock().getTime() - Date.parse(record.updatedAt) > keepFinishedMs) {
          await rm(join(this.queueDir, `${record.job.runId}.json`), { force: true });
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
    const needed = this.slotsFor(job);
    if (needed > this.slots.length) {
      throw new ComputeError(
        `Run ${job.runId} asks for ${job.resources.gpus} GPUs; this machine has ${this.slots.length}. Ask for --gpus ${this.slots.length} or run it on AWS Batch.`,
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
      await this.persist(record);
      this.stop(run);
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
    for (const run of runs) this.stop(run);
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
      await this.terminateOrphan(record.pid, record.pidStartTime);
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

  private async terminateOrphan(pid: number, startTime: string | undefined): Promise<void> {
    signalGroup(pid, "SIGTERM");
    const deadline = Date.now() + this.graceMs;
    while (isSameProcessAlive(pid, startTime) && Date.now() < deadline) await sleep(100);
    if (isSameProcessAlive(pid, startTime)) signalGroup(pid, "SIGKILL");
    while (isSameProcessAlive(pid, startTime)) await sleep(50);
  }

  /** Starts queued runs, oldest first, while their slots are free. Strict FIFO: a big job is never starved. */
  private schedule(): Promise<void> {
    return this.exclusive(async () => {
      if (this.state !== "started") return;
      for (const record of this.ordered()) {
        if (record.status !== "queued") continue;
        const free = this.slots.flatMap((holder, index) => (holder === null ? [index] : []));
        const needed = this.slotsFor(record.job);
        if (needed > free.length) return;
        await this.launch(record, free.slice(0, needed));
      }
    });
  }

  private async launch(record: RunRecord, slots: number[]): Promise<void> {
    const { job } = record;
    await this.transition(record, { status: "starting" });
    const invocation = (this.options.runner ?? defaultRunner)(job, record.attempt);
    const logPath = this.logPath(record);
    mkdirSync(join(this.logDir, job.runId), { recursive: true });
    const logFd = openSync(logPath, "a", 0o600);
    let child: ChildProcess;
    try {
      child = spawn(invocation.command, invocation.args, {
        cwd: invocation.cwd,
        env: this.childEnv(job, record.attempt, slots, invocation),
        stdio: ["ignore", logFd, logFd],
        // Its own process group, so cancel reaches the kernel and every grandchild.
        detached: true,
      });
    } catch (error) {
      closeSync(logFd);
      await this.transition(record, { status: "failed", reason: `could not start the runner (${invocation.command}): ${errorMessage(error)}` });
      return;
    }
    closeSync(logFd);
    for (const slot of slots) this.slots[slot] = job.runId;
    let settle!: () => void;
    const run: ActiveRun = { child, slots, timedOut: false, finished: false, timers: [], exited: new Promise((resolve) => (settle = resolve)) };
    this.active.set(job.runId, run);

    // setTimeout overflows past 2^31-1 ms (about 24.8 days) and would fire at once.
    const timeoutMs = Math.min(job.resources.timeoutSeconds * 1000, 2 ** 31 - 1);
    run.timers.push(
      setTimeout(() => {
        run.timedOut = true;
        this.stop(run);
      }, timeoutMs),
    );

    child.once("spawn", () => {
      void this.exclusive(async () => {
        if (record.status !== "starting") return;
        record.pid = child.pid;
        record.pidStartTime = child.pid === undefined ? undefined : processStartTime(child.pid);
        await this.transition(record, { status: "running" });
      });
    });
    child.once("error", (error) => {
      // Only a failed spawn gets here without an exit (ENOENT, EACCES).
      if (child.pid !== undefined) return;
      void this.finish(record, run, { status: "failed", reason: `could not start the runner (${invocation.command}): ${error.message}` }).then(settle);
    });
    child.once("exit", (code, signal) => {
      void this.finish(record, run, this.outcome(record, run, code, signal)).then(settle);
    });
  }

  private outcome(record: RunRecord, run: ActiveRun, code: number | null, signal: NodeJS.Signals | null): Partial<RunRecord> | null {
    if (this.state === "closing") return null;
    if (record.cancelReason !== undefined) return { status: "cancelled", reason: record.cancelReason };
    if (run.timedOut) {
      return { status: "failed", reason: `timed out after ${record.job.resources.timeoutSeconds}s (--timeout); the run was stopped` };
    }
    if (code === 0) return { status: "succeeded", exitCode: 0 };
    if (code !== null) return { status: "failed", exitCode: code, reason: `the runner exited with code ${code}; see its log` };
    const why = `the runner was killed by ${signal ?? "a signal"}`;
    if (record.attempt < this.attempts) {
      return { status: "queued", attempt: record.attempt + 1, reason: `retrying: ${why}`, retryOf: { attempt: record.attempt, reason: why } };
    }
    return { status: "failed", reason: `${why}, and all ${this.attempts} attempts are used` };
  }

  private async finish(record: RunRecord, run: ActiveRun, change: Partial<RunRecord> | null): Promise<void> {
    if (run.finished) return;
    run.finished = true;
    await this.exclusive(async () => {
      for (const timer of run.timers) clearTimeout(timer);
      for (const slot of run.slots) this.slots[slot] = null;
      this.active.delete(record.job.runId);
      if (change === null) return;
      record.pid = undefined;
      record.pidStartTime = undefined;
      await this.transition(record, change);
    });
    await this.schedule();
  }

  /** SIGTERM to the process group, SIGKILL after the grace period if it is still there. */
  private stop(run: ActiveRun): void {
    const pid = run.child.pid;
    if (pid === undefined || run.child.exitCode !== null || run.child.signalCode !== null) return;
    signalGroup(pid, "SIGTERM");
    const kill = setTimeout(() => signalGroup(pid, "SIGKILL"), this.graceMs);
    run.timers.push(kill);
  }

  /** Applies a change, persists it, then emits the event, in that order: what was reported is on disk. */
  private async transition(record: RunRecord, change: Partial<Pick<RunRecord, "status" | "attempt" | "reason" | "retryOf" | "exitCode">>): Promise<void> {
    // What a state says (reason, retryOf, exit code) belongs to that state alone; the attempt carries over.
    record.reason = change.reason;
    record.retryOf = change.retryOf;
    record.exitCode = change.exitCode;
    Object.assign(record, change, { updatedAt: this.now() });
    await this.persist(record);
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

  private async persist(record: RunRecord): Promise<void> {
    await writeFileAtomic(join(this.queueDir, `${record.job.runId}.json`), `${JSON.stringify(record, null, 2)}\n`);
  }

  private async loadRecords(): Promise<RunRecord[]> {
    const records: RunRecord[] = [];
    for (const name of (await readdir(this.queueDir)).sort()) {
      if (!name.endsWith(".json")) continue;
      const path = join(this.queueDir, name);
      try {
        const record = runRecordSchema.parse(JSON.parse(await readFile(path, "utf8")));
        if (`${record.job.runId}.json` !== name) throw new Error(`it holds run ${record.job.runId}`);
        records.push(record);
      } catch (error) {
        // Keep the evidence but out of the way, so one bad file never blocks the queue.
        this.log(`queue file ${path} is unreadable and was moved aside to ${path}.corrupt`, error);
        await rename(path, `${path}.corrupt`).catch(() => {});
      }
    }
    return records;
  }

  private childEnv(job: TrainJob, attempt: number, slots: number[], invocation: RunnerInvocation): NodeJS.ProcessEnv {
    const source = this.options.env ?? process.env;
    const extra = new Set(this.options.passEnv ?? []);
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(source)) {
      if (value === undefined) continue;
      if (INHERITED_ENV.has(name) || extra.has(name) || INHERITED_PREFIXES.some((prefix) => name.startsWith(prefix))) env[name] = value;
    }
    Object.assign(env, runnerEnvironment(job), { NBTRAIN_ATTEMPT: String(attempt) });
    if (this.useGpus) env.CUDA_VISIBLE_DEVICES = slots.join(",");
    Object.assign(env, invocation.env ?? {});
    return env;
  }

  private slotsFor(job: TrainJob): number {
    return this.useGpus ? Math.max(1, job.resources.gpus) : 1;
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

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

