import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectMetrics } from "../../src/runner/collect-metrics.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-metrics-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("collectMetrics", () => {
  it("takes final values from the last metrics.jsonl line, overridden by metrics.json", async () => {
    await writeFile(path.join(dir, "metrics.jsonl"), '{"epoch": 1, "loss": 2.0}\n{"epoch": 2, "loss": 1.5, "accuracy": 0.5}\n');
    await writeFile(path.join(dir, "metrics.json"), '{"accuracy": 0.75, "note": "done", "nested": {"ignored": 1}}');
    const metrics = await collectMetrics(dir);
    expect(metrics.final).toEqual({ epoch: 2, loss: 1.5, accuracy: 0.75, note: "done" });
    expect(metrics.series).toHaveLength(2);
    expect(metrics.problems).toEqual([]);
  });

  it("keeps the last line of a repeated step, so an epoch redone after a resume counts once", async () => {
    await writeFile(path.join(dir, "metrics.jsonl"), ['{"step": 1, "loss": 3}', '{"step": 2, "loss": 2}', '{"step": 2, "loss": 1.9}', '{"step": 3, "loss": 1}'].join("\n"));
    const metrics = await collectMetrics(dir);
    expect(metrics.series).toEqual([{ step: 1, loss: 3 }, { step: 2, loss: 1.9 }, { step: 3, loss: 1 }]);
  });

  it("skips lines that are not JSON objects and says so", async () => {
    await writeFile(path.join(dir, "metrics.jsonl"), '{"loss": 1}\nnot json\n[1,2]\n{"loss": 0.5}\n');
    const metrics = await collectMetrics(dir);
    expect(metrics.final).toEqual({ loss: 0.5 });
    expect(metrics.problems).toEqual(["metrics.jsonl line 2 is not a JSON object; skipped", "metrics.jsonl line 3 is not a JSON object; skipped"]);
  });

  it("returns empty metrics when the notebook wrote none", async () => {
    expect(await collectMetrics(dir)).toEqual({ final: {}, series: [], problems: [] });
  });
});
