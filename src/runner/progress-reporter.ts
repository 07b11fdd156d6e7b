import type { Writable } from "node:stream";

/** What the runner reports while a run goes on. */
export type RunEvent =
  | { type: "restored"; sequence: number | null; files: number; from?: string }
  | { type: "installing"; file: string }
  | { type: "started"; cells: number; python: string; attempt: number; resume: boolean }
  | { type: "kernel"; pid: number | null }
  /** `cell` counts from 1 among the notebook's own code cells, of which there are `cells` (as in result.json). */
  | { type: "cell_start"; cell: number; cells: number }
  | { type: "cell_done"; cell: number; cells: number; status: string }
  | { type: "synced"; sequence: number; files: number; bytes: number }
  | { type: "stopping"; reason: string }
  | { type: "stop_notice"; interrupted: boolean; polling: boolean; grace: number }
  | { type: "warning"; message: string }
  | { type: "finished"; status: string; seconds: number };

export interface ProgressReporter {
  report(event: RunEvent): void;
  /** Ends a progress bar line so that what follows starts on its own line. */
  close(): void;
}

const BAR_WIDTH = 24;

/**
 * On a TTY, one progress bar line redrawn in place; on a terminal that cannot redraw (TERM=dumb),
 * one plain line per event; otherwise one JSON object per line (`{"time": …, "event": …}`) for log
 * collectors such as CloudWatch.
 */
export function createProgressReporter(stream: Writable & { isTTY?: boolean }, now: () => number = Date.now, env: NodeJS.ProcessEnv = {}): ProgressReporter {
  if (stream.isTTY && env["TERM"] === "dumb") return plainReporter(stream, now);
  if (!stream.isTTY) {
    return {
      report(event) {
        const { type, ...rest } = event;
        stream.write(`${JSON.stringify({ time: new Date(now()).toISOString(), event: type, ...rest })}\n`);
      },
      close() {},
    };
  }
  const started = now();
  let cells = 0;
  let done = 0;
  let current = "";
  let checkpoint = "";
  let drawn = false;
  const draw = () => {
    const filled = cells > 0 ? Math.round((done / cells) * BAR_WIDTH) : 0;
    const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
    const seconds = Math.round((now() - started) / 1000);
    stream.write(`\r\x1b[K${bar} ${done}/${cells} cells${current}${checkpoint} · ${seconds}s`);
    drawn = true;
  };
  // A training cell runs for minutes; the clock keeps moving between events.
  let ticker: NodeJS.Timeout | undefined;
  const tick = () => {
    if (!ticker) {
      ticker = setInterval(() => drawn && draw(), 1000);
      ticker.unref();
    }
  };
  const stopTicking = () => {
    clearInterval(ticker);
    ticker = undefined;
  };
  const line = (text: string) => {
    stream.write(`${drawn ? "\r\x1b[K" : ""}${text}\n`);
    drawn = false;
  };
  return {
    report(event) {
      switch (event.type) {
        case "restored":
          line(event.sequence === null ? "No checkpoint yet: starting fresh." : `Restored checkpoint #${event.sequence} (${event.files} files).`);
          break;
        case "installing":
          line(`Installing ${event.file} …`);
          break;
        case "started":
          cells = event.cells;
          line(`Running ${event.cells} cells on ${event.python} (attempt ${event.attempt}${event.resume ? ", resuming" : ""}).`);
          draw();
          tick();
          break;
        case "kernel":
          break;
        case "cell_start":
          current = ` · cell ${event.cell} running`;
          draw();
          break;
        case "cell_done":
          done = Math.max(done, event.cell);
          current = event.status === "error" ? ` · cell ${event.cell} failed` : "";
          draw();
          break;
        case "synced":
          checkpoint = ` · checkpoint #${event.sequence}`;
          draw();
          break;
        case "stopping":
          line(`Stopping: ${event.reason}; saving checkpoints …`);
          break;
        case "stop_notice":
          line(
            event.interrupted
              ? `Interrupted the running cell; the notebook has ${event.grace} s to save.`
              : event.polling
                ? `The notebook polls nbtrain.stop_requested(); it has ${event.grace} s to save.`
                : "No cell was running; no further cell starts.",
          );
          break;
        case "warning":
          line(`warning: ${event.message}`);
          break;
        case "finished":
          stopTicking();
          line(`Run ${event.status} after ${event.seconds.toFixed(1)} s.`);
          break;
      }
    },
    close() {
      stopTicking();
      if (drawn) stream.write("\n");
      drawn = false;
    },
  };
}

/** The same news as the bar, one line each and without control characters, for TERM=dumb. */
function plainReporter(stream: Writable, now: () => number): ProgressReporter {
  const started = now();
  const seconds = () => `${Math.round((now() - started) / 1000)}s`;
  const line = (text: string) => stream.write(`${text}\n`);
  return {
    report(event) {
      switch (event.type) {
        case "restored":
          return line(event.sequence === null ? "No checkpoint yet: starting fresh." : `Restored checkpoint #${event.sequence} (${event.files} files).`);
        case "installing":
          return line(`Installing ${event.file} …`);
        case "started":
          return line(`Running ${event.cells} cells on ${event.python} (attempt ${event.attempt}${event.resume ? ", resuming" : ""}).`);
        case "cell_start":
          return line(`cell ${event.cell}/${event.cells} running · ${seconds()}`);
        case "cell_done":
          return line(`cell ${event.cell}/${event.cells} ${event.status === "error" ? "failed" : "done"} · ${seconds()}`);
        case "synced":
          return line(`checkpoint #${event.sequence} saved (${event.files} files).`);
        case "stopping":
          return line(`Stopping: ${event.reason}; saving checkpoints …`);
        case "warning":
          return line(`warning: ${event.message}`);
        case "finished":
          return line(`Run ${event.status} after ${event.seconds.toFixed(1)} s.`);
        case "kernel":
          return;
      }
    },
    close() {},
  };
}
