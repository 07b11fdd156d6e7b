import type { Limits } from "../../config/repo-config.js";
import type { Finding } from "../finding.js";
import { colabDrivePathRule } from "./colab-drive-path.js";
import { errorOutputRule } from "./error-output.js";
import { executionOrderRule } from "./execution-order.js";
import { largeImageRule } from "./large-image.js";
import type { LintRule } from "./lint-rule.js";
import { missingKernelspecRule } from "./missing-kernelspec.js";
import { isObject, viewNotebook } from "./notebook-view.js";
import { notebookSizeRule } from "./notebook-size.js";
import { outputSizeRule } from "./output-size.js";
import { secretRule } from "./secret.js";
import { unpinnedInstallRule } from "./unpinned-install.js";
import { widgetStateRule } from "./widget-state.js";

/** Every lint rule, in the order their findings are produced. */
export const LINT_RULES: readonly LintRule[] = [
  secretRule,
  outputSizeRule,
  notebookSizeRule,
  largeImageRule,
  widgetStateRule,
  errorOutputRule,
  executionOrderRule,
  missingKernelspecRule,
  unpinnedInstallRule,
  colabDrivePathRule,
];

/**
 * Runs every lint rule over a parsed notebook, with each rule's default severity. Never throws on
 * a value from `JSON.parse`: one that is not a JSON object has nothing to lint but its size, and a
 * rule that fails unexpectedly becomes a finding of that rule instead of hiding the others.
 *
 * @param notebook - the parsed JSON value, which need not be schema-valid
 * @param limits - size limits from the repository config
 * @param byteLength - the file's size in bytes
 */
export function lintNotebook(notebook: unknown, limits: Limits, byteLength: number): Finding[] {
  const view = viewNotebook(isObject(notebook) ? notebook : {});
  const findings: Finding[] = [];
  for (const rule of LINT_RULES) {
    try {
      for (const finding of rule.check({ notebook: view, limits, byteLength })) findings.push(finding);
    } catch (error) {
      findings.push({
        rule: rule.id,
        severity: "warning",
        message: `The ${rule.id} rule failed on this notebook (${error instanceof Error ? error.name : "unknown error"}), so it was not checked. Please report this to the nbtrain maintainers with the notebook if you can.`,
      });
    }
  }
  return findings;
}
