import { formatBytes } from "./format-bytes.js";
import type { LintRule } from "./lint-rule.js";

/** Flags a file over `limits.notebook_bytes`, where GitHub struggles to render notebooks. */
export const notebookSizeRule: LintRule = {
  id: "notebook-size",
  defaultSeverity: "warning",
  summary: "The whole file larger than `limits.notebook_bytes` (10 MB), where GitHub struggles to render it",
  check({ byteLength, limits }) {
    if (byteLength <= limits.notebook_bytes) return [];
    return [
      {
        rule: "notebook-size",
        severity: "warning",
        message:
          `The notebook is ${formatBytes(byteLength)}, over the ${formatBytes(limits.notebook_bytes)} limit; GitHub may not render it. ` +
          "Clear large outputs and embedded images (for example `jupyter nbconvert --clear-output --inplace`), " +
          "or raise `limits.notebook_bytes` in .github/nbtrain.yml.",
        path: [],
      },
    ];
  },
};
