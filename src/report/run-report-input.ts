import type { MetricValue, RunResultView } from "../runs/run-result.js";

// The report reads the job's result.json as its one declaration in src/runs/ has it.
export type { MetricValue, RunResultView } from "../runs/run-result.js";

/** How a finished run ended, as GitHub's check run conclusions name it. */
export type RunConclusion = "success" | "failure" | "cancelled" | "timed_out";

/** What a PR run's metrics are compared with: a default-branch commit's baseline. */
export interface ReportBaseline {
  commit: string;
  branch: string;
  relation: "merge-base" | "earlier";
  metrics: Record<string, MetricValue>;
}

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
  /** The baseline of the PR's merge base (or the nearest earlier one) on the base branch, when one exists. */
  baseline?: ReportBaseline | null;
  /** Why there is no baseline to compare with (shown instead of the deltas' column). */
  baselineNote?: string | null;
  /** Set for a baseline run: the default branch and commit whose baseline it made. */
  baselineOf?: { branch: string; commit: string } | null;
  links: ReportLink[];
  /** The last lines of the job's log, shown on failure. */
  logTail?: string | null;
  /** Set when the job ran out of memory: what it had, in MiB. */
  outOfMemory?: { memoryMiB: number } | null;
}
