import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RULE_IDS } from "../../../src/notebook/finding.js";
import { LINT_RULES, lintNotebook } from "../../../src/notebook/lint/lint-notebook.js";
import { codeCell, notebook } from "./notebook-builder.js";
import { DEFAULT_TEST_LIMITS } from "./test-limits.js";

const VALIDATION_RULES = ["read-error", "invalid-json", "unsupported-version", "schema", "duplicate-cell-id"];

describe("lintNotebook", () => {
  it("has exactly one rule for every lint id, and the rule table in docs/check.md lists each", () => {
    const ids = LINT_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(RULE_IDS.filter((id) => !VALIDATION_RULES.includes(id)).sort());
    const docs = readFileSync(fileURLToPath(new URL("../../../docs/check.md", import.meta.url)), "utf8");
    for (const rule of LINT_RULES) expect(docs).toContain(`| \`${rule.id}\` | ${rule.defaultSeverity}`);
  });

  it("runs every rule, each finding at its rule's default severity", () => {
    const nb = notebook(
      [
        codeCell("!pip install numpy\nopen('/content/drive/x')", {
          execution_count: 2,
          outputs: [{ output_type: "error", ename: "E", evalue: "", traceback: [] }],
        }),
        codeCell("x", { execution_count: 1 }),
      ],
      {},
    );
    const findings = lintNotebook(nb, DEFAULT_TEST_LIMITS, 20_000_000);
    expect(findings.map((f) => f.rule).sort()).toEqual(
      ["colab-drive-path", "error-output", "execution-order", "missing-kernelspec", "notebook-size", "unpinned-install"].sort(),
    );
    for (const f of findings) expect(f.severity).toBe(LINT_RULES.find((r) => r.id === f.rule)?.defaultSeverity);
  });

  it("lints only the size of a value that is not an object", () => {
    expect(lintNotebook([1, 2], DEFAULT_TEST_LIMITS, 10)).toEqual([]);
    expect(lintNotebook("x", DEFAULT_TEST_LIMITS, 20_000_000).map((f) => f.rule)).toEqual(["notebook-size"]);
  });

  it("turns a rule that fails into a finding of that rule and runs the others", () => {
    const boom = () => {
      throw new TypeError("boom");
    };
    const hostile = new Proxy({}, { get: boom, has: boom, ownKeys: boom });
    const nb = { ...notebook([codeCell("!pip install numpy")]), metadata: { kernelspec: {}, widgets: hostile } };
    const findings = lintNotebook(nb, DEFAULT_TEST_LIMITS, 100);
    expect(findings.map((f) => f.rule)).toEqual(["widget-state", "unpinned-install"]);
    expect(findings[0]?.message).toContain("The widget-state rule failed on this notebook (TypeError)");
  });

  it("never throws on any JSON value or notebook-shaped value", () => {
    const cell = fc.dictionary(fc.constantFrom("cell_type", "source", "input", "outputs", "execution_count", "prompt_number", "metadata", "attachments"), fc.jsonValue());
    const shaped = fc.record({
      nbformat: fc.oneof(fc.constantFrom(3, 4), fc.jsonValue()),
      metadata: fc.jsonValue(),
      cells: fc.oneof(fc.array(cell), fc.jsonValue()),
      worksheets: fc.oneof(fc.array(fc.record({ cells: fc.array(cell) })), fc.jsonValue()),
    }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), shaped), fc.nat(), (value, size) => {
        for (const f of lintNotebook(value, { ...DEFAULT_TEST_LIMITS, output_bytes: 50, image_bytes: 3, widget_state_bytes: 5 }, size)) {
          expect(f.message).not.toMatch(/failed on this notebook/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
