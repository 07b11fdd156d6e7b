import type { LintRule } from "./lint-rule.js";

/**
 * Flags a v4 notebook without `metadata.kernelspec`: Jupyter then asks which kernel to use and
 * papermill refuses to run. Colab does not need one, so a notebook saved by Colab
 * (`metadata.colab`) gets info rather than a warning.
 */
export const missingKernelspecRule: LintRule = {
  id: "missing-kernelspec",
  defaultSeverity: "warning",
  summary: "A v4 notebook without `metadata.kernelspec` (info for notebooks saved by Colab)",
  check({ notebook }) {
    if (notebook.major !== 4 || notebook.metadata === null || "kernelspec" in notebook.metadata) return [];
    const colab = "colab" in notebook.metadata;
    return [
      {
        rule: "missing-kernelspec",
        severity: colab ? "info" : "warning",
        message:
          "The notebook has no `metadata.kernelspec`, so Jupyter, papermill and the training runner cannot tell which kernel to start. " +
          'Open it in Jupyter, pick the kernel and save, or add `"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}`' +
          (colab ? " (Colab itself does not need it)." : "."),
        path: ["metadata"],
      },
    ];
  },
};
