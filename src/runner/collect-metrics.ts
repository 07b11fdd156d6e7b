import { readFile } from "node:fs/promises";
import path from "node:path";
import type { MetricValue } from "../runs/run-result.js";

export interface CollectedMetrics {
  /** Final values: the last metrics.jsonl line, overridden by metrics.json. */
  final: Record<string, MetricValue>;
  /** metrics.jsonl lines in order, one per step or epoch (a repeated step keeps its last line). */
  series: Array<Record<string, MetricValue>>;
  /** Lines or files that were not metrics, said in words. */
  problems: string[];
}

function scalars(value: unknown): Record<string, MetricValue> | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const out: Record<string, MetricValue> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || typeof item === "number" || typeof item === "string" || typeof item === "boolean") out[key] = item;
  }
  return out;
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return null;
    throw error;
  }
}

/**
 * Reads the metrics contract from `outputDir`: `metrics.json` (one object of final values) and/or
 * `metrics.jsonl` (one object per line). Lines with the same `step` (or `epoch`) replace earlier
 * ones, so a resumed run that repeats an epoch does not count it twice.
 */
export async function collectMetrics(outputDir: string): Promise<CollectedMetrics> {
  const problems: string[] = [];
  const series: Array<Record<string, MetricValue>> = [];
  const text = await readOptional(path.join(outputDir, "metrics.jsonl"));
  if (text !== null) {
    const byStep = new Map<string, number>();
    text.split("\n").forEach((line, index) => {
      if (line.trim() === "") return;
      let point: Record<string, MetricValue> | null = null;
      try {
        point = scalars(JSON.parse(line));
      } catch {
        point = null;
      }
      if (!point) {
        problems.push(`metrics.jsonl line ${index + 1} is not a JSON object; skipped`);
        return;
      }
      const step = point.step ?? point.epoch;
      const id = step === undefined || step === null ? undefined : JSON.stringify(step);
      const at = id === undefined ? undefined : byStep.get(id);
      if (at !== undefined) series[at] = point;
      else {
        if (id !== undefined) byStep.set(id, series.length);
        series.push(point);
      }
    });
  }
  let final: Record<string, MetricValue> = { ...(series.at(-1) ?? {}) };
  const json = await readOptional(path.join(outputDir, "metrics.json"));
  if (json !== null) {
    let values: Record<string, MetricValue> | null = null;
    try {
      values = scalars(JSON.parse(json));
    } catch {
      values = null;
    }
    if (values) final = { ...final, ...values };
    else problems.push("metrics.json is not a JSON object; ignored");
  }
  return { final, series, problems };
}
