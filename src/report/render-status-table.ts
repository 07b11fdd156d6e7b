import { formatDuration } from "../commands/format-duration.js";
import { escapeMarkdown } from "./escape-markdown.js";

/** One row of `/train status`. */
export interface StatusRow {
  runId: string;
  notebook: string;
  /** The backend's state, or "unknown" when the backend no longer knows the run. */
  status: string;
  attempt?: number;
  /** Seconds since the run was requested. */
  ageSeconds?: number;
  reason?: string;
}

/** The `/train status` reply: a table of this pull request's runs, newest first. */
export function renderStatusTable(rows: readonly StatusRow[], options: { activeInRepo?: number; limitPerRepo?: number } = {}): string {
  if (rows.length === 0) return "**`/train status`**: no training runs on this pull request yet. Start one with `/train NOTEBOOK`.";
  const lines = [
    "**`/train status`**",
    "",
    "| Run | Notebook | Status | Attempt | Requested | Note |",
    "|---|---|---|---|---|---|",
    ...rows.slice(0, 50).map(
      (row) =>
        `| \`${row.runId}\` | ${escapeMarkdown(row.notebook)} | ${escapeMarkdown(row.status)} | ${row.attempt ?? "–"} | ${row.ageSeconds === undefined ? "–" : `${formatDuration(row.ageSeconds)} ago`} | ${row.reason ? escapeMarkdown(row.reason).slice(0, 200) : ""} |`,
    ),
  ];
  if (rows.length > 50) lines.push("", `…and ${rows.length - 50} older runs.`);
  if (options.activeInRepo !== undefined && options.limitPerRepo !== undefined) {
    lines.push("", `Active runs in this repository: ${options.activeInRepo} of ${options.limitPerRepo} allowed. Cancel one with \`/train cancel RUN\`.`);
  }
  return lines.join("\n");
}
