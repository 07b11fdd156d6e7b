import { formatDuration } from "./format-duration.js";

/** How one segment of a training ended, as its result.json says. */
export interface SegmentOutcome {
  status: string;
  /** The manifest the segment started from (null: none). */
  restoredSequence: number | null;
  /** The latest manifest when the segment ended (null: none). */
  checkpointSequence: number | null;
}

export interface ChainBudget {
  /** The whole budget, in seconds. */
  budgetSeconds: number;
  /** Seconds spent so far, by all segments and the gaps between them. */
  usedSeconds: number;
  /** The per-segment (per-job) timeout; the budget's remainder when absent. */
  segmentTimeoutSeconds?: number;
  /** The shortest segment worth starting (AWS Batch refuses timeouts under 60 s); 1 s by default. */
  minSegmentSeconds?: number;
}

export type NextSegment =
  | { kind: "continue"; timeoutSeconds: number }
  | { kind: "stop"; reason: "completed" | "ended" | "budget-spent" | "no-progress"; message: string };

/** Below this, another segment would spend its time starting a kernel. */
const MIN_SEGMENT_SECONDS = 1;

/**
 * Whether a chained training goes on after a segment: only a segment that hit its per-job timeout
 * is continued, only while budget is left, and only when it saved a checkpoint the previous
 * segment did not have; a chain that makes no progress stops instead of looping.
 */
export function planNextSegment(outcome: SegmentOutcome, budget: ChainBudget): NextSegment {
  if (outcome.status === "completed") return { kind: "stop", reason: "completed", message: "the notebook completed" };
  if (outcome.status !== "timed-out") {
    return { kind: "stop", reason: "ended", message: `the segment ended ${outcome.status}; only a segment that reaches its timeout is continued by itself` };
  }
  if (outcome.checkpointSequence === null || outcome.checkpointSequence === outcome.restoredSequence) {
    const from = outcome.restoredSequence === null ? "no checkpoint at all" : `checkpoint #${outcome.restoredSequence}`;
    return {
      kind: "stop",
      reason: "no-progress",
      message: `the segment saved no new checkpoint (it still had ${from}), so another segment would repeat the same work; save checkpoints more often than the timeout, or raise the timeout`,
    };
  }
  const remaining = budget.budgetSeconds - budget.usedSeconds;
  if (remaining < (budget.minSegmentSeconds ?? MIN_SEGMENT_SECONDS)) {
    return { kind: "stop", reason: "budget-spent", message: `the budget of ${formatDuration(budget.budgetSeconds)} is spent` };
  }
  return { kind: "continue", timeoutSeconds: Math.min(budget.segmentTimeoutSeconds ?? remaining, remaining) };
}
