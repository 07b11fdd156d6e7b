import { stat, readFile } from "node:fs/promises";
import { RUN_FILES } from "../runs/run-layout.js";
import type { Store } from "../storage/store.js";
import type { RunEvent } from "./progress-reporter.js";

/** `progress.json` in the run's prefix: where a running attempt is, for the run page and the check run. */
export interface LiveProgress {
  format: "nbtrain-progress/1";
  attempt: number;
  /** 0-based index of the cell running now (in the executed notebook, parameters cell included), or null. */
  cell: number | null;
  cells: number;
  cells_done: number;
  /** Points in `metrics.live.jsonl` at the last write. */
  metrics_points: number;
  /** The newest metrics line, as the notebook wrote it. */
  latest: Record<string, number | string | boolean | null>;
  updated_at: string;
}

/** The live copy of the attempt's metrics.jsonl; `metrics.jsonl` itself stays consistent with the checkpoint manifest. */
export const LIVE_METRICS_KEY = RUN_FILES.liveMetrics;
export const PROGRESS_KEY = RUN_FILES.progress;
// A runaway logger must not turn every flush into a large upload.
const MAX_LIVE_BYTES = 4 * 1024 * 1024;

/**
 * Mirrors a running attempt's position and metrics into the store every few seconds, only when
 * something changed, so that readers (the run page, the bot's check run updates) never talk to
 * the job. Failures are warnings: the run itself must not stop because a progress write failed.
 */
export class LiveProgressWriter {
  private cell: number | null = null;
  private cells = 0;
  private done = 0;
  private dirty = true;
  private metricsSeen = "";
  private points = 0;
  private latest: LiveProgress["latest"] = {};

  constructor(
    private readonly store: Store,
    private readonly metricsFile: string,
    private readonly attempt: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  observe(event: RunEvent): void {
    if (event.type === "started") this.cells = event.cells;
    else if (event.type === "cell_start") {
      this.cell = event.cell;
      this.cells = event.cells;
    } else if (event.type === "cell_done") {
      this.done = Math.max(this.done, event.cell + 1);
      if (this.cell === event.cell) this.cell = null;
    } else return;
    this.dirty = true;
  }

  async flush(): Promise<void> {
    const info = await stat(this.metricsFile).catch(() => null);
    const signature = info ? `${info.size}:${info.mtimeMs}` : "";
    if (info && signature !== this.metricsSeen && info.size <= MAX_LIVE_BYTES) {
      const text = await readFile(this.metricsFile, "utf8");
      // Only whole lines: the notebook may be in the middle of writing the last one.
      const whole = text.slice(0, text.lastIndexOf("\n") + 1);
      const lines = whole.split("\n").filter((line) => line.trim() !== "");
      await this.store.put(LIVE_METRICS_KEY, Buffer.from(whole), { contentType: "application/x-ndjson" });
      this.points = lines.length;
      this.latest = lastObject(lines);
      this.metricsSeen = signature;
      this.dirty = true;
    }
    if (!this.dirty) return;
    this.dirty = false;
    const progress: LiveProgress = {
      format: "nbtrain-progress/1",
      attempt: this.attempt,
      cell: this.cell,
      cells: this.cells,
      cells_done: this.done,
      metrics_points: this.points,
      latest: this.latest,
      updated_at: this.clock().toISOString(),
    };
    await this.store.put(PROGRESS_KEY, Buffer.from(`${JSON.stringify(progress)}\n`), { contentType: "application/json" });
  }
}

function lastObject(lines: string[]): LiveProgress["latest"] {
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const value: unknown = JSON.parse(lines[i]!);
      if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        return Object.fromEntries(Object.entries(value).filter(([, v]) => v === null || ["number", "string", "boolean"].includes(typeof v))) as LiveProgress["latest"];
      }
    } catch {
      // A damaged line; look at the one before.
    }
  }
  return {};
}
