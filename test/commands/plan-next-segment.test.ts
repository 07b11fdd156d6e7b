import { describe, expect, it } from "vitest";
import { planNextSegment } from "../../src/commands/plan-next-segment.js";

const budget = { budgetSeconds: 3600, usedSeconds: 1000, segmentTimeoutSeconds: 900 };

describe("planNextSegment", () => {
  it("continues a timed-out segment that saved a new checkpoint, with the per-segment timeout", () => {
    expect(planNextSegment({ status: "timed-out", restoredSequence: 3, checkpointSequence: 5 }, budget)).toEqual({ kind: "continue", timeoutSeconds: 900 });
    expect(planNextSegment({ status: "timed-out", restoredSequence: null, checkpointSequence: 1 }, budget)).toEqual({ kind: "continue", timeoutSeconds: 900 });
  });

  it("gives the last segment only what is left of the budget", () => {
    expect(planNextSegment({ status: "timed-out", restoredSequence: 1, checkpointSequence: 2 }, { ...budget, usedSeconds: 3300 })).toEqual({ kind: "continue", timeoutSeconds: 300 });
  });

  it("stops when the budget is spent", () => {
    const next = planNextSegment({ status: "timed-out", restoredSequence: 1, checkpointSequence: 2 }, { ...budget, usedSeconds: 3600 });
    expect(next).toMatchObject({ kind: "stop", reason: "budget-spent" });
    expect(next.kind === "stop" && next.message).toBe("the budget of 1h is spent");
  });

  it("stops a segment that saved no new checkpoint, with or without an earlier one, and says what to change", () => {
    for (const restored of [null, 4]) {
      const next = planNextSegment({ status: "timed-out", restoredSequence: restored, checkpointSequence: restored }, budget);
      expect(next).toMatchObject({ kind: "stop", reason: "no-progress" });
      expect(next.kind === "stop" && next.message).toMatch(/saved no new checkpoint.*save checkpoints more often than the timeout/);
    }
  });

  it("never continues a completed, failed or interrupted segment by itself", () => {
    expect(planNextSegment({ status: "completed", restoredSequence: 1, checkpointSequence: 2 }, budget)).toMatchObject({ kind: "stop", reason: "completed" });
    for (const status of ["failed", "interrupted"]) {
      expect(planNextSegment({ status, restoredSequence: 1, checkpointSequence: 2 }, budget)).toMatchObject({ kind: "stop", reason: "ended" });
    }
  });
});
