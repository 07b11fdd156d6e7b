import { DEFAULT_LIMITS } from "../config/default-limits.js";
import type { Limits, RuleSeverities } from "../config/repo-config.js";
import type { Finding, NotebookReport } from "./finding.js";
import { isObject } from "./lint/notebook-view.js";
import { lintNotebook } from "./lint/lint-notebook.js";
import { notebookSizeRule } from "./lint/notebook-size.js";
import { locateFindings } from "./locate-findings.js";
import { readNotebook } from "./read-notebook.js";
import { validateNotebook } from "./validate-notebook.js";

/** How to check: severities by rule id (`off` drops a rule) and size limits; both default. */
export interface CheckOptions {
  rules?: RuleSeverities;
  limits?: Partial<Limits>;
}

/**
 * Reads, validates and lints one notebook, and places every finding on a cell, line and column
 * of the raw text. Pure, and never throws: bad bytes become findings, and so does any
 * unexpected internal failure.
 *
 * @param path - how the notebook is named in the report (as given or as found)
 * @param bytes - the file's raw bytes
 * @param options - severities and limits from `.github/nbtrain.yml`
 * @returns the report, its findings sorted by line (findings without a line first)
 */
export function checkNotebook(path: string, bytes: Uint8Array, options: CheckOptions = {}): NotebookReport {
  let valid = false;
  let nbformat: string | null = null;
  let findings: Finding[] = [];
  try {
    const limits: Limits = { ...DEFAULT_LIMITS, ...definedLimits(options.limits) };
    const rules = options.rules ?? {};
    const read = readNotebook(bytes);
    if (!read.ok) {
      findings.push(read.finding);
    } else {
      const validation = validateNotebook(read.value, read.text);
      valid = validation.valid;
      nbformat = validation.nbformat;
      append(findings, validation.findings);
    }
    // Lint needs a JSON object; the size is known even when the content is unreadable.
    if (read.ok && isObject(read.value)) append(findings, lintNotebook(read.value, limits, bytes.length));
    else append(findings, notebookSizeRule.check({ notebook: { major: null, metadata: null, cells: [] }, limits, byteLength: bytes.length }));
    findings = applySeverities(findings, rules);
    if (read.text !== null) findings = locateFindings(read.text, findings, read.ok ? read.value : undefined);
  } catch (error) {
    // Whatever failed may be the config itself, so this finding bypasses it.
    valid = false;
    findings.push({
      rule: "read-error",
      severity: "error",
      message:
        `nbtrain failed while checking this notebook (${error instanceof Error ? error.name : "unknown error"}), so its verdict is unknown. ` +
        "Please report this to the nbtrain maintainers, with the notebook if you can.",
    });
  }
  return { path, valid, nbformat, findings: sortByLine(findings) };
}

// A loop, not push(...items): spreading a huge array overflows the call stack.
function append(target: Finding[], items: readonly Finding[]): void {
  for (const item of items) target.push(item);
}

/** A config may leave a limit undefined; it then keeps its default. */
function definedLimits(limits: Partial<Limits> | undefined): Partial<Limits> {
  const defined: Partial<Limits> = {};
  for (const [key, value] of Object.entries(limits ?? {}) as Array<[keyof Limits, number | undefined]>) {
    if (typeof value === "number") defined[key] = value;
  }
  return defined;
}

/** `off` drops a finding; any other setting replaces the rule's default severity. */
function applySeverities(findings: Finding[], rules: RuleSeverities): Finding[] {
  const result: Finding[] = [];
  for (const finding of findings) {
    const setting = rules[finding.rule];
    if (setting === "off") continue;
    result.push(setting === undefined || setting === finding.severity ? finding : { ...finding, severity: setting });
  }
  return result;
}

function sortByLine(findings: Finding[]): Finding[] {
  // Array.prototype.sort is stable, so findings on one line keep the order the rules made them in.
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
