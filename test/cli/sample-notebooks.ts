/** Small notebooks shaped like real ones, for the CLI tests. */

export function codeCell(id: string, source: string[], executionCount: number | null = null): Record<string, unknown> {
  return { cell_type: "code", execution_count: executionCount, id, metadata: {}, outputs: [], source };
}

export function notebook(cells: unknown[]): Record<string, unknown> {
  return {
    cells,
    metadata: {
      kernelspec: { display_name: "Python 3", language: "python", name: "python3" },
      language_info: { name: "python", version: "3.11.4" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** A clean v4.5 notebook: valid, run in order, nothing to lint. */
export function cleanNotebook(): string {
  return `${JSON.stringify(
    notebook([
      { cell_type: "markdown", id: "intro", metadata: {}, source: ["# Training a small model\n", "\n", "Loads the digits and fits a classifier."] },
      codeCell("load", ["from sklearn.datasets import load_digits\n", "X, y = load_digits(return_X_y=True)"], 1),
      codeCell("fit", ["from sklearn.linear_model import LogisticRegression\n", "model = LogisticRegression(max_iter=200).fit(X, y)"], 2),
    ]),
    null,
    1,
  )}\n`;
}

/** The third cell lacks `source`, which the schema requires. */
export function notebookMissingSource(): string {
  const nb = notebook([codeCell("a", ["import math"], 1), codeCell("b", ["math.pi"], 2), codeCell("c", ["x = 1"], 3)]);
  delete (nb["cells"] as Array<Record<string, unknown>>)[2]!["source"];
  return `${JSON.stringify(nb, null, 1)}\n`;
}

/**
 * An AWS-shaped access key id, assembled at run time so that the repository itself holds no
 * credential-looking literal for scanners to trip on.
 */
export function fakeAwsKeyId(): string {
  return ["AK", "IA", "QX7Z", "M2RT", "K9LP", "W4HV"].join("");
}
