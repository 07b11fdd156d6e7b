import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type { TrainJob } from "./compute.js";
import { signalGroup } from "./process-group.js";

/** How to start the runner for one attempt of a job. Arguments go to `spawn`, never to a shell. */
export interface RunnerInvocation {
  command: string;
  args: string[];
  /** Added to the job's environment. */
  env?: Record<string, string>;
  cwd?: string;
}

export type RunnerCommand = (job: TrainJob, attempt: number) => RunnerInvocation;

/** How an attempt ended: its process exited, or it could not be started at all. */
export type RunnerEnd =
  | { kind: "exit"; code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }
  | { kind: "spawn-error"; message: string };

export interface RunnerProcessOptions {
  invocation: RunnerInvocation;
  env: NodeJS.ProcessEnv;
  /** stdout and stderr go here, appended. */
  logPath: string;
  /** The run's `--timeout`; the process is stopped when it is over. */
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL. */
  graceMs: number;
  onSpawn: (pid: number | undefined) => void;
  /** Called once, when the attempt ends. */
  onEnd: (end: RunnerEnd) => void;
}

/**
 * One attempt of a runner as a child process in its own process group, with its log file, its
 * timeout and its stop (SIGTERM, then SIGKILL after the grace period). What an end means for the
 * run (retry, fail, cancel) is the caller's business.
 */
export class RunnerProcess {
  private readonly timers: NodeJS.Timeout[] = [];
  private timedOut = false;
  private ended = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly graceMs: number,
  ) {}

  /** Starts the runner, or says why `spawn` refused at once. Log-file errors are thrown. */
  static start(options: RunnerProcessOptions): { ok: true; process: RunnerProcess } | { ok: false; error: unknown } {
    const { invocation } = options;
    mkdirSync(dirname(options.logPath), { recursive: true });
    const logFd = openSync(options.logPath, "a", 0o600);
    let child: ChildProcess;
    try {
      child = spawn(invocation.command, invocation.args, {
        cwd: invocation.cwd,
        env: options.env,
        stdio: ["ignore", logFd, logFd],
        // Its own process group, so cancel reaches the kernel and every grandchild.
        detached: true,
      });
    } catch (error) {
      return { ok: false, error };
    } finally {
      closeSync(logFd);
    }
    const runner = new RunnerProcess(child, options.graceMs);
    // setTimeout overflows past 2^31-1 ms (about 24.8 days) and would fire at once.
    runner.timers.push(
      setTimeout(() => {
        runner.timedOut = true;
        runner.stop();
      }, Math.min(options.timeoutMs, 2 ** 31 - 1)),
    );
    child.once("spawn", () => options.onSpawn(child.pid));
    child.once("error", (error) => {
      // Only a failed spawn gets here without an exit (ENOENT, EACCES).
      if (child.pid !== undefined) return;
      runner.end(options.onEnd, { kind: "spawn-error", message: error.message });
    });
    child.once("exit", (code, signal) => runner.end(options.onEnd, { kind: "exit", code, signal, timedOut: runner.timedOut }));
    return { ok: true, process: runner };
  }

  /** SIGTERM to the process group, SIGKILL after the grace period if it is still there. */
  stop(): void {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    signalGroup(pid, "SIGTERM");
    this.timers.push(setTimeout(() => signalGroup(pid, "SIGKILL"), this.graceMs));
  }

  /** Clears the timeout and any pending SIGKILL, once the end has been handled. */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  private end(onEnd: (end: RunnerEnd) => void, end: RunnerEnd): void {
    if (this.ended) return;
    this.ended = true;
    onEnd(end);
  }
}
