import type { Finding } from "../finding.js";
import { formatBytes } from "./format-bytes.js";
import type { LintRule } from "./lint-rule.js";
import { exceedsJsonSize } from "./measure-json-size.js";
import type { CellView, OutputView } from "./notebook-view.js";

/** Flags each output whose compact JSON serialization is over `limits.output_bytes`. */
export const outputSizeRule: LintRule = {
  id: "output-size",
  defaultSeverity: "warning",
  summary: "One output larger than `limits.output_bytes` (1 MB), serialized as compact JSON",
  check({ notebook, limits }) {
    const findings: Finding[] = [];
    // Indexed loops: each step of `for...of` allocates in unoptimized code, which this runs as.
    const cells = notebook.cells;
    for (let i = 0; i < cells.length; i++) {
      const outputs = (cells[i] as CellView).outputs;
      for (let o = 0; o < outputs.length; o++) {
        const output = outputs[o] as OutputView;
        const size = exceedsJsonSize(output.value, limits.output_bytes);
        if (size === null) continue;
        findings.push({
          rule: "output-size",
          severity: "warning",
          message:
            `This output is ${formatBytes(size)}, over the ${formatBytes(limits.output_bytes)} limit. ` +
            "Clear it, print less (for example `df.head()`), or save large results to a file; " +
            "raise `limits.output_bytes` in .github/nbtrain.yml if it is intended.",
          path: output.path,
        });
      }
    }
    return findings;
  },
};
