import path from "node:path";
import { RULE_IDS, type Finding, type NotebookReport, type RuleId, type Severity } from "../../notebook/finding.js";
import { RULE_HELP } from "./rule-help.js";

export interface SarifFormatOptions {
  /** Artifact URIs are relative to this directory, which should be the repository root. */
  cwd: string;
  toolVersion: string;
}

const LEVELS: Record<Severity, "error" | "warning" | "note"> = { error: "error", warning: "warning", info: "note" };
const RULE_INDEX = new Map<RuleId, number>(RULE_IDS.map((id, index) => [id, index]));

/**
 * Renders SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).
 * Every result carries a region, since GitHub needs at least `startLine`; a finding without a known
 * position points at line 1.
 */
export function formatSarif(reports: readonly NotebookReport[], options: SarifFormatOptions): string {
  const rules = RULE_IDS.map((id) => {
    const { summary, help, tags } = RULE_HELP[id];
    return {
      id,
      name: pascalCase(id),
      shortDescription: { text: summary },
      fullDescription: { text: help },
      help: { text: help, markdown: help },
      properties: id === "secret" ? { tags, precision: "high", "security-severity": "8.0" } : { tags },
    };
  });
  const results = reports.flatMap((report) => {
    const uri = artifactUri(report.path, options.cwd);
    return report.findings.map((finding) => result(finding, uri));
  });
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "nbtrain", version: options.toolVersion, semanticVersion: options.toolVersion, rules } },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function result(finding: Finding, uri: string): object {
  const region: Record<string, number> = { startLine: finding.line ?? 1 };
  if (finding.line !== undefined && finding.column !== undefined) region["startColumn"] = finding.column;
  return {
    ruleId: finding.rule,
    ruleIndex: RULE_INDEX.get(finding.rule) ?? -1,
    level: LEVELS[finding.severity],
    message: { text: finding.cell === undefined ? finding.message : `${finding.message} (cell ${finding.cell})` },
    locations: [{ physicalLocation: { artifactLocation: { uri, uriBaseId: "%SRCROOT%" }, region } }],
  };
}

/** A relative URI reference from the repository root, each segment percent-encoded. */
function artifactUri(reportPath: string, cwd: string): string {
  const relative = path.relative(cwd, path.resolve(cwd, reportPath)).split(path.sep);
  return relative.map((segment) => (segment === ".." ? segment : encodeURIComponent(segment))).join("/");
}

function pascalCase(id: string): string {
  return id.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
}
