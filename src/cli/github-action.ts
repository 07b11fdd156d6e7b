import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { NotebookReport, Severity } from "../notebook/finding.js";
import { checkCommand } from "./check-command.js";
import { formatSarif } from "./formats/format-sarif.js";
import type { CliIo } from "./cli-io.js";
import { packageVersion } from "./package-version.js";

const FAIL_LEVELS = ["error", "warning", "info", "never"] as const;
type FailLevel = (typeof FAIL_LEVELS)[number];
const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };
const COMMAND: Record<Severity, string> = { error: "error", warning: "warning", info: "notice" };
/** A summary past this many rows is truncated; GitHub caps a step summary at 1 MiB. */
const MAX_SUMMARY_ROWS = 500;

/** Workflow-command data: GitHub's toolkit escapes %, CR and LF so that one command stays one line. */
export function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** A workflow-command property value: also `:` and `,`, which separate the properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

type Output = { write(text: string): unknown };

/**
 * The GitHub Action's entry (action.yml runs it): `nbtrain check` on the workspace, with each finding
 * as a workflow command (an annotation on the notebook's line), a job summary, step outputs and,
 * when asked, a SARIF file. Inputs come as INPUT_PATHS, INPUT_CONFIG, INPUT_FAIL_LEVEL, INPUT_SARIF.
 * Returns the exit code: 1 when a finding reaches the fail level, 2 when the check could not run.
 */
export async function runGithubAction(env: NodeJS.ProcessEnv, out: { stdout: Output; stderr: Output }): Promise<number> {
  const fail = (message: string): number => {
    out.stdout.write(`::error title=nbtrain::${escapeData(message)}\n`);
    return 2;
  };
  const workspace = env["GITHUB_WORKSPACE"];
  if (!workspace) return fail("GITHUB_WORKSPACE is not set: this entry runs as a step of a GitHub Actions job");
  const failLevel = (env["INPUT_FAIL_LEVEL"] ?? "").trim() || "error";
  if (!(FAIL_LEVELS as readonly string[]).includes(failLevel)) return fail(`fail-level "${failLevel}" is not one of ${FAIL_LEVELS.join(", ")}`);
  const paths = (env["INPUT_PATHS"] ?? "").split(/\s+/).filter((item) => item !== "");
  const config = (env["INPUT_CONFIG"] ?? "").trim();

  let json = "";
  let errors = "";
  const io = {
    stdout: { write: (text: string) => ((json += text), true) },
    stderr: { write: (text: string) => ((errors += text), true) },
    cwd: workspace,
    env,
  } as unknown as CliIo;
  const code = await checkCommand([...paths, "--format", "json", ...(config ? ["--config", config] : [])], io);
  // "no files match" and config errors: shown as annotations too, since a step's log is easy to miss.
  for (const line of errors.split("\n").filter((item) => item !== "")) out.stdout.write(`::${code === 2 ? "error" : "warning"} title=nbtrain::${escapeData(line.replace(/^nbtrain: /, ""))}\n`);
  if (code === 2) return 2;

  const reports = (JSON.parse(json) as { notebooks: NotebookReport[] }).notebooks;
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const report of reports) {
    const file = path.relative(workspace, path.resolve(workspace, report.path)).split(path.sep).join("/");
    for (const finding of report.findings) {
      counts[finding.severity]++;
      const properties = [`file=${escapeProperty(file)}`];
      if (finding.line !== undefined) properties.push(`line=${finding.line}`);
      if (finding.column !== undefined) properties.push(`col=${finding.column}`);
      properties.push(`title=${escapeProperty(`nbtrain ${finding.rule}`)}`);
      out.stdout.write(`::${COMMAND[finding.severity]} ${properties.join(",")}::${escapeData(finding.message)}\n`);
    }
  }

  let sarifFile = "";
  const sarif = (env["INPUT_SARIF"] ?? "").trim();
  if (sarif) {
    sarifFile = path.resolve(workspace, sarif);
    mkdirSync(path.dirname(sarifFile), { recursive: true });
    writeFileSync(sarifFile, formatSarif(reports, { cwd: workspace, toolVersion: packageVersion() }));
  }

  const summaryFile = env["GITHUB_STEP_SUMMARY"];
  if (summaryFile) appendFileSync(summaryFile, summary(reports, counts));
  const outputFile = env["GITHUB_OUTPUT"];
  if (outputFile) {
    const lines = [`notebooks=${reports.length}`, `errors=${counts.error}`, `warnings=${counts.warning}`, `notices=${counts.info}`, `sarif-file=${sarifFile}`];
    appendFileSync(outputFile, `${lines.join("\n")}\n`);
  }
  const threshold = failLevel === "never" ? Infinity : RANK[failLevel as Exclude<FailLevel, "never">];
  return reports.some((report) => report.findings.some((finding) => RANK[finding.severity] >= threshold)) ? 1 : 0;
}

function summary(reports: readonly NotebookReport[], counts: Record<Severity, number>): string {
  const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  const lines = [
    "## nbtrain check",
    "",
    `${reports.length} notebook${reports.length === 1 ? "" : "s"} checked: ${counts.error} error${counts.error === 1 ? "" : "s"}, ${counts.warning} warning${counts.warning === 1 ? "" : "s"}, ${counts.info} notice${counts.info === 1 ? "" : "s"}.`,
    "",
  ];
  const rows = reports.flatMap((report) => report.findings.map((finding) => ({ report, finding })));
  if (rows.length > 0) {
    lines.push("| Notebook | Line | Severity | Rule | Finding |", "| --- | --- | --- | --- | --- |");
    for (const { report, finding } of rows.slice(0, MAX_SUMMARY_ROWS)) {
      lines.push(`| ${cell(report.path)} | ${finding.line ?? ""} | ${finding.severity} | \`${finding.rule}\` | ${cell(finding.message)} |`);
    }
    if (rows.length > MAX_SUMMARY_ROWS) lines.push("", `…and ${rows.length - MAX_SUMMARY_ROWS} more; run \`nbtrain check\` locally for all of them.`);
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}
