import type { Finding } from "./finding.js";
import { checkV3 } from "./schema/check-v3.js";
import { checkV4 } from "./schema/check-v4.js";
import { hasFloatIntegers } from "./schema/has-float-integers.js";
import { parsePythonJson } from "./schema/parse-python-json.js";
import { V3_NESTING, V4_NESTING } from "./schema/scan-nesting.js";
import { describeType, isObject, pyStr, type JsonObject } from "./schema/python-values.js";
import { SchemaChecker } from "./schema/schema-checker.js";

export interface Validation {
  /** Exactly nbformat 5.5.0's `isvalid(reads(text, as_version=NO_CONVERT))`; unreadable means false. */
  valid: boolean;
  /** "4.5", "4.None", "3.0", "2.None"… as nbformat prints it; null when the value is not a JSON object. */
  nbformat: string | null;
  /** `schema`, `unsupported-version` and `duplicate-cell-id` errors, each with the path of the offending value. */
  findings: Finding[];
}

/**
 * Validates a parsed notebook the way nbformat 5.5.0 does: its reader (version detection, the
 * keys it needs, what it repairs) and then `isvalid` against the schema of the notebook's
 * (major, minor) version, with future minors relaxed. Pure and never throws; the walk is
 * iterative, so any nesting depth is safe.
 *
 * Pass the raw `text` when you have it: it is how `1.0` is told apart from `1`.
 */
export function validateNotebook(value: unknown, text?: string): Validation {
  const first = validateValue(value, false);
  if (text === undefined || !isObject(value)) return strip(first);
  // ±Infinity from JSON.parse may be a float like 1e999, an int too big for a JS number (valid
  // in Python), or an int of more than 4300 digits (unreadable in Python): ask the text.
  if (first.sawInfinity || hasFloatIntegers(text, value.nbformat, first.integralCounts)) return validateExactly(text, value);
  return strip(first);
}

type Checked = Validation & { sawInfinity: boolean; integralCounts: number };

/** Reparses `text` as Python does, keeping float literals apart from ints, and validates that. */
function validateExactly(text: string, parsed: unknown): Validation {
  const exact = parsePythonJson(text, { boxIntegralFloats: true });
  if (exact.ok) return strip(validateValue(exact.value, true));
  return {
    valid: false,
    nbformat: isObject(parsed) ? versionOf(parsed) : null,
    findings: [{ rule: "schema", severity: "error", message: `${exact.message}: nbformat cannot read this notebook. Store such numbers as strings.`, path: [] }],
  };
}

function strip(v: Checked): Validation {
  return { valid: v.valid, nbformat: v.nbformat, findings: v.findings };
}

function validateValue(nb: unknown, exactNumbers: boolean): Checked {
  if (!isObject(nb)) {
    return {
      sawInfinity: false,
      integralCounts: 0,
      valid: false,
      nbformat: null,
      findings: [
        {
          rule: "schema",
          severity: "error",
          message: `A notebook must be a JSON object, but this file holds ${describeType(nb)}: restore the notebook from version control.`,
          path: [],
        },
      ],
    };
  }
  const version = versionOf(nb);
  const c = new SchemaChecker(nb.nbformat === 3 ? V3_NESTING : V4_NESTING, exactNumbers);
  checkVersioned(nb, c);
  return { valid: !c.invalid, nbformat: version, findings: c.finish(), sawInfinity: c.hasInfinity || c.sawInfiniteInteger, integralCounts: c.integralCounts };
}

/** nbformat's "major.minor" as Python prints it: "4.5", "4.None", "2.None". */
function versionOf(nb: JsonObject): string {
  return `${pyStr(nb.nbformat)}.${pyStr(nb.nbformat_minor)}`;
}

function checkVersioned(nb: JsonObject, c: SchemaChecker): void {
  if (!("nbformat" in nb)) {
    c.fail([], 'The notebook has no "nbformat" key, so nbformat reads it as a v1 notebook it cannot validate: add "nbformat": 4 and "nbformat_minor".');
    return;
  }
  const major = nb.nbformat;
  if (!c.isInteger(major)) {
    c.fail(["nbformat"], `nbformat must be the integer 3 or 4, but it is ${describeType(major)}: write it without quotes or decimal point.`);
    return;
  }
  if (major !== 3 && major !== 4) {
    const old = major === 1 || major === 2;
    c.report(
      "unsupported-version",
      ["nbformat"],
      old
        ? `nbformat ${major} notebooks have no schema and are always invalid: convert it to v4 (open and save it in Jupyter, or run \`jupyter nbconvert --to notebook\`).`
        : `nbformat ${major} is not a notebook format version (only 3 and 4 can be validated): set "nbformat" to 4.`,
    );
    return;
  }
  let minor = 0;
  if ("nbformat_minor" in nb) {
    const m = nb.nbformat_minor;
    if (!c.isInteger(m)) {
      c.fail(["nbformat_minor"], `nbformat_minor must be a non-negative integer, but it is ${describeType(m)}: write it as a whole number.`);
      return;
    }
    if (m < 0) {
      c.report("unsupported-version", ["nbformat_minor"], `nbformat ${major}.${m} has no schema: set "nbformat_minor" to a version from 0 to ${major === 4 ? 5 : 0}.`);
      return;
    }
    if (major === 3 && m > 0) {
      // nbformat 5.5.0 cannot build a relaxed schema for v3 "future" minors and fails to read them.
      c.report("unsupported-version", ["nbformat_minor"], `nbformat 3.${m} cannot be validated by nbformat (only 3.0 can): set "nbformat_minor" to 0 or convert the notebook to v4.`);
      return;
    }
    minor = m;
  }
  // Without nbformat_minor, nbformat validates against minor 0, whose schema requires the key.
  if (major === 3) checkV3(nb, c);
  else checkV4(nb, minor, c);
}
