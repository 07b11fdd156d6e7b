import type { Limits } from "../../config/repo-config.js";
import type { Finding, RuleId, Severity } from "../finding.js";
import type { NotebookView } from "./notebook-view.js";

/** What every rule gets: the notebook's parts, the configured limits and the file's size. */
export interface LintContext {
  notebook: NotebookView;
  limits: Limits;
  /** Size of the file in bytes, as read. */
  byteLength: number;
}

/** A lint rule: a stable id, its default severity, and a check that never throws on any shape. */
export interface LintRule {
  id: RuleId;
  defaultSeverity: Severity;
  /** One line for the docs table: what the rule catches. */
  summary: string;
  check(context: LintContext): Finding[];
}
