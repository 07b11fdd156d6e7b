/** Stable rule ids. Config refers to rules by these names, so never rename one. */
export const RULE_IDS = [
  "read-error",
  "invalid-json",
  "unsupported-version",
  "schema",
  "duplicate-cell-id",
  "secret",
  "output-size",
  "notebook-size",
  "large-image",
  "widget-state",
  "error-output",
  "execution-order",
  "missing-kernelspec",
  "unpinned-install",
  "colab-drive-path",
] as const;

export type RuleId = (typeof RULE_IDS)[number];

/** `off` disables a rule; the other three are reported. */
export type Severity = "error" | "warning" | "info";
export type SeveritySetting = Severity | "off";

/** A location inside the parsed JSON document: object keys and array indexes from the root. */
export type JsonPath = ReadonlyArray<string | number>;

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** Says what is wrong and how to fix it. Never echoes a secret. */
  message: string;
  /** Where in the document the problem is, when it is tied to a value. */
  path?: JsonPath;
  /**
   * For findings inside a string (a source line, a secret in an output), the 0-based line
   * within that string value as nbformat joins it; the locator turns it into a file line.
   */
  lineInValue?: number;
  /** 0-based index into `cells` (v4) or the flattened worksheet cells (v3). */
  cell?: number;
  /** 1-based line and column in the raw `.ipynb` text. */
  line?: number;
  column?: number;
}

export interface NotebookReport {
  /** As given on the command line or as found in the repository. */
  path: string;
  /** Equals nbformat 5.5's `isvalid()` after `reads(text, as_version=NO_CONVERT)`. */
  valid: boolean;
  /** "4.5", "3.0", "4.None" style version string, or null when the file is not a JSON object. */
  nbformat: string | null;
  findings: Finding[];
}
