/** A metric value as `metrics.jsonl` and `result.json` carry it. */
export type MetricValue = number | string | boolean | null;

/** The parts of the runner's `result.json` the report reads (validated by the caller). */
export interface RunResultView {
  status: "running" | "completed" | "failed" | "interrupted" | "timed-out";
  attempt: number;
  started_at: string;
  finished_at: string | null;
  duration_seconds: number | null;
  resumed: boolean;
  restored_sequence: number | null;
  checkpoint_sequence: number | null;
  cells_total: number;
  cells_executed: number;
  metrics: Record<string, MetricValue>;
  metrics_points: number;
  parameters: Record<string, unknown>;
  failure: { cell_index: number | null; ename: string; evalue: string } | null;
  warnings: string[];
}

/** How a finished run ended, as GitHub's check run conclusions name it. */
export type RunConclusion = "success" | "failure" | "cancelled" | "timed_out";

/** A link, or a place without a URL (a file on the bot's machine), shown as code. */
export type ReportLink = { label: string; url: string } | { label: string; path: string };

/** Everything the run report shows; the caller gathers it from the event, the store and the request. */
export interface RunReportInput {
  runId: string;
  notebook: string;
  conclusion: RunConclusion;
  /** The backend's reason for the final state (exit code, timeout, cancel). */
  reason?: string;
  /** The attempt that ended; the runs before it were interrupted and resumed. */
  attempt: number;
  /** Why earlier attempts ended, oldest first, when known. */
  interruptions: string[];
  /** null when the job ended before the runner wrote `result.json`. */
  result: RunResultView | null;
  /** `metrics.jsonl`, one record per step or epoch. */
  series: ReadonlyArray<Record<string, MetricValue>>;
  /** The last successful run of the same notebook on the base branch, when the store has one. */
  baseline?: { runId: string; branch: string; metrics: Record<string, MetricValue> } | null;
  links: ReportLink[];
  /** The last lines of the job's log, shown on failure. */
  logTail?: string | null;
  /** Python that continues the run in Colab from its Drive folder (a `gdrive://MyDrive` store). */
  colabSnippet?: string | null;
  /** Set when the job ran out of memory: what it had, in MiB. */
  outOfMemory?: { memoryMiB: number } | null;
}
