import { fileURLToPath } from "node:url";
import type { RunResult } from "../runs/run-result.js";

export interface RunSummaryInput {
  runId: string;
  result: RunResult;
  location: { store: string; output: string; checkpoints: string };
  /** The command that resumes the run, when it did not complete. */
  resume: string | null;
  color: boolean;
}

/** A file:// store's locations as plain paths a shell can open; s3:// and gdrive:// stay URIs. */
function shown(uri: string): string {
  if (!uri.startsWith("file:")) return uri;
  try {
    return fileURLToPath(uri);
  } catch {
    return uri;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * What `nbtrain train` prints when the run ends: its status and cell count, a table of the final
 * metrics, and where the output notebook, checkpoints and result.json are.
 */
export function formatRunSummary({ runId, result, location, resume, color }: RunSummaryInput): string {
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const status = paint(result.status === "completed" ? "32" : "31", result.status);
  const duration = result.duration_seconds === null ? "" : ` in ${result.duration_seconds.toFixed(1)} s`;
  const lines = [`Run ${runId} ${status}${duration}: ${result.cells_executed}/${result.cells_total} cells ran.`, ""];
  const metrics = Object.entries(result.metrics);
  if (metrics.length > 0) {
    const width = Math.max("metric".length, ...metrics.map(([name]) => name.length));
    lines.push(`  ${paint("1", "metric".padEnd(width))}  ${paint("1", "value")}`);
    for (const [name, value] of metrics) lines.push(`  ${name.padEnd(width)}  ${formatValue(value)}`);
    lines.push("");
  }
  const base = location.store.replace(/\/+$/, "");
  const rows: Array<[string, string]> = [
    ["Output notebook", shown(location.output)],
    ["Checkpoints", shown(location.checkpoints)],
    ["Result", shown(`${base}/result.json`)],
  ];
  for (const [label, where] of rows) lines.push(`${label.padEnd(16)}${where}`);
  if (resume) lines.push("", `Resume with: ${resume}`);
  return `${lines.join("\n")}\n`;
}
