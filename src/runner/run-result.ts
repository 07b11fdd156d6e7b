import type { MetricValue } from "./collect-metrics.js";

export type RunStatus = "running" | "completed" | "failed" | "interrupted" | "timed-out";

/** `result.json`, what the bot reads to report a run. */
export interface RunResult {
  format: "nbtrain-result/1";
  run_id: string;
  status: RunStatus;
  attempt: number;
  started_at: string;
  finished_at: string | null;
  duration_seconds: number | null;
  /** Whether this attempt started from a restored checkpoint, and which manifest. */
  resumed: boolean;
  restored_sequence: number | null;
  /** The latest manifest in the store when the attempt ended. */
  checkpoint_sequence: number | null;
  /** Cells of the user's notebook (the injected parameters cell is not counted). */
  cells_total: number;
  cells_executed: number;
  /** Final metrics: the last metrics.jsonl line overridden by metrics.json. */
  metrics: Record<string, MetricValue>;
  metrics_points: number;
  parameters: Record<string, unknown>;
  python: string | null;
  /** On failure: 0-based index into the user's notebook (null for a failure outside any cell). */
  failure: { cell_index: number | null; ename: string; evalue: string } | null;
  warnings: string[];
  /** The folder or run this run's checkpoint_dir started as a copy of (the attempt that copied it). */
  seeded_from?: { source: string; files: number; bytes: number };
  /** How a stop with notice went: the cell interrupted (or left to a polling notebook), and whether it was killed after the grace. */
  stop?: {
    reason: "interrupted" | "timeout";
    cell_interrupted: boolean;
    polling: boolean;
    killed_after_grace: boolean;
    grace_seconds: number;
    cell_ended_after_seconds?: number;
  };
}
