import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { pythonDir } from "./package-root.js";
import { shimEventSchema, type ShimEvent, type ShimFinished } from "./shim-event.js";

export interface ExecuteOptions {
  python: string;
  /** The notebook to run, parameters already injected. */
  input: string;
  /** Where the shim writes the executed notebook, after every cell and at the end. */
  output: string;
  /** The kernel's working folder. */
  cwd: string;
  /** Scratch folder for the pinned kernel spec. */
  kernelDir: string;
  env: NodeJS.ProcessEnv;
  cellTimeoutSeconds?: number;
  /** After a stop, how long the interrupted cell may take to save and end before the kernel is killed. */
  stopGraceSeconds?: number;
  /** Where the shim writes the stop file that `nbtrain.stop_requested()` reads. */
  controlDir?: string;
  onEvent: (event: ShimEvent) => void;
}

export interface Execution {
  /** Settles when the shim exits; `finished` is null when it died without saying how it ended. */
  done: Promise<{ finished: ShimFinished | null; exitCode: number | null; stderrTail: string }>;
  /** Stops with notice: the shim interrupts the running cell, waits up to the stop grace for it, writes the notebook and exits. */
  stop(): void;
  /** Kills the shim and the kernel outright, for a shim that does not stop in time. */
  kill(): void;
}

const STDERR_TAIL = 8_192;

/**
 * Starts the Python shim (`src/runner/python/nbtrain_shim.py`) on `python`. Events arrive as JSON
 * lines on a dedicated pipe (fd 3), so nothing a library prints can be mistaken for one. The shim
 * gets its own process group, so a Ctrl-C at the terminal reaches only the runner, which decides
 * what to keep before stopping it.
 */
export function executeNotebook(options: ExecuteOptions): Execution {
  const child = spawn(options.python, ["-u", path.join(pythonDir(), "nbtrain_shim.py")], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["pipe", "pipe", "pipe", "pipe"],
    detached: true,
  });
  let stderrTail = "";
  const keepTail = (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL);
  };
  child.stderr!.on("data", keepTail);
  child.stdout!.on("data", keepTail);

  let finished: ShimFinished | null = null;
  let kernelPid: number | null = null;
  const lines = createInterface({ input: child.stdio[3] as Readable });
  lines.on("line", (line) => {
    let event: ShimEvent;
    try {
      event = shimEventSchema.parse(JSON.parse(line));
    } catch {
      return; // Not ours; the shim only writes whole JSON lines here.
    }
    if (event.type === "finished") finished = event;
    if (event.type === "kernel") kernelPid = event.pid;
    options.onEvent(event);
  });
  const linesClosed = new Promise<void>((resolve) => lines.once("close", () => resolve()));

  child.stdin!.on("error", () => {
    // The shim exited first; its exit is reported through `done`.
  });
  child.stdin!.write(
    `${JSON.stringify({
      input: options.input,
      output: options.output,
      cwd: options.cwd,
      kernel_dir: options.kernelDir,
      cell_timeout: options.cellTimeoutSeconds ?? null,
      stop_grace: options.stopGraceSeconds ?? 0,
      control_dir: options.controlDir ?? null,
    })}\n`,
  );
  // stdin stays open: its end-of-file tells the shim that the runner is gone.

  const done = new Promise<{ finished: ShimFinished | null; exitCode: number | null; stderrTail: string }>((resolve, reject) => {
    child.once("error", (error) => reject(new Error(`Cannot start ${options.python}: ${error.message}`)));
    child.once("close", (code) => {
      void linesClosed.then(() => {
        child.stdin!.destroy();
        resolve({ finished, exitCode: code, stderrTail });
      });
    });
  });

  return {
    done,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    },
    kill() {
      // The kernel leads its own process group (jupyter_client starts it in a new session).
      for (const pid of [kernelPid, child.pid]) {
        if (pid) {
          try {
            process.kill(-pid, "SIGKILL");
          } catch {
            // Already gone.
          }
        }
      }
    },
  };
}
