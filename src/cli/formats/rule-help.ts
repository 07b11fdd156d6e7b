import type { RuleId } from "../../notebook/finding.js";

export interface RuleHelp {
  /** One line: what the rule reports. */
  summary: string;
  /** Why it matters and how to fix it. */
  help: string;
  tags: string[];
}

/** Text for each rule, as SARIF viewers (GitHub code scanning) show it next to an alert. */
export const RULE_HELP: Record<RuleId, RuleHelp> = {
  "read-error": {
    summary: "The file could not be read.",
    help: "The file could not be opened or read (missing, a broken symlink, a directory, no permission, or too large). Check that the path names a readable notebook file.",
    tags: ["reliability"],
  },
  "invalid-json": {
    summary: "The file is not a JSON document.",
    help: "A notebook is a JSON object encoded as UTF-8. Jupyter cannot open this file. Restore it from version control or fix the JSON at the reported position (often a merge conflict marker or a truncated save).",
    tags: ["correctness"],
  },
  "unsupported-version": {
    summary: "The notebook format version is not supported.",
    help: "Only nbformat v3 and v4 notebooks are validated. Open the notebook in a current Jupyter and save it to upgrade it to v4.",
    tags: ["correctness"],
  },
  schema: {
    summary: "The notebook does not follow the nbformat schema.",
    help: "nbformat rejects this notebook, so Jupyter, Colab and nbviewer may refuse it. Fix the key or value reported, or open and re-save the notebook in Jupyter, which repairs most problems.",
    tags: ["correctness"],
  },
  "duplicate-cell-id": {
    summary: "Two cells share the same id.",
    help: "Cell ids must be unique within a notebook (nbformat 4.5); newer nbformat releases reject duplicates. Give the repeated cell a new id, or clear the ids and let Jupyter regenerate them.",
    tags: ["correctness"],
  },
  secret: {
    summary: "A credential appears in a cell source or output.",
    help: "A credential (cloud access key, API token, private key) is committed in the notebook. Revoke it now, since it is in the history, then load it from an environment variable or a secret store instead of the notebook.",
    tags: ["security"],
  },
  "output-size": {
    summary: "One output is larger than the limit.",
    help: "A single large output bloats the repository and slows every diff. Clear the output, or print less (for example a summary instead of a whole data frame). The limit is `limits.output_bytes` in .github/nbtrain.yml.",
    tags: ["maintainability"],
  },
  "notebook-size": {
    summary: "The notebook file is larger than the limit.",
    help: "GitHub struggles to render large notebooks. Clear large outputs or split the notebook. The limit is `limits.notebook_bytes` in .github/nbtrain.yml.",
    tags: ["maintainability"],
  },
  "large-image": {
    summary: "An embedded image is larger than the limit.",
    help: "Embedded images are stored as base64 in the notebook. Save the figure at a lower resolution or as a file, or clear the output. The limit is `limits.image_bytes` in .github/nbtrain.yml.",
    tags: ["maintainability"],
  },
  "widget-state": {
    summary: "Saved widget state is large.",
    help: "Jupyter saved the state of interactive widgets in the notebook metadata. Clear it (in Jupyter: Widgets > Clear Notebook Widget State) before committing. The limit is `limits.widget_state_bytes` in .github/nbtrain.yml.",
    tags: ["maintainability"],
  },
  "error-output": {
    summary: "An output holds an error traceback.",
    help: "The notebook was committed with a failing cell. Fix the error and re-run the notebook, or clear the output if the error is intended.",
    tags: ["correctness"],
  },
  "execution-order": {
    summary: "Cells were run out of order.",
    help: "Execution counts are not increasing from top to bottom, so the saved outputs may not be reproducible. Restart the kernel and run all cells before committing.",
    tags: ["reproducibility"],
  },
  "missing-kernelspec": {
    summary: "The notebook has no kernelspec.",
    help: "Without metadata.kernelspec, tools cannot tell which kernel runs the notebook. Open it in Jupyter, select a kernel and save.",
    tags: ["reproducibility"],
  },
  "unpinned-install": {
    summary: "A package is installed without a version.",
    help: "`!pip install x` or `%pip install x` without a version installs whatever is newest and breaks the notebook later. Pin it: `%pip install x==1.2.3`.",
    tags: ["reproducibility"],
  },
  "colab-drive-path": {
    summary: "A Google Drive path is used without mounting Drive.",
    help: "The notebook reads /content/drive/... but never calls drive.mount. Add `from google.colab import drive; drive.mount('/content/drive')` before the first use.",
    tags: ["correctness"],
  },
};
