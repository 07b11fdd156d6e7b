import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/notebook/finding.js";
import { readNotebook } from "../../src/notebook/read-notebook.js";
import { validateNotebook, type Validation } from "../../src/notebook/validate-notebook.js";
import { repoRoot } from "../support/repo-root.js";

const fixtureDir = path.join(repoRoot, "test/fixtures/validity");

function validateFixture(name: string): Validation {
  const read = readNotebook(readFileSync(path.join(fixtureDir, name)));
  if (!read.ok) throw new Error(`fixture ${name} is unreadable: ${read.finding.message}`);
  return validateNotebook(read.value, read.text);
}

function fixtureValue(name: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(fixtureDir, name), "utf8"));
}

const only = (v: Validation, rule: Finding["rule"]): Finding[] => v.findings.filter((f) => f.rule === rule);

describe("validateNotebook", () => {
  it.each(["v4.0", "v4.1", "v4.2", "v4.3", "v4.4", "v4.5", "v4.99", "v3.0"])("accepts the %s fixture", (name) => {
    const v = validateFixture(`${name}.ipynb`);
    expect(v).toEqual({ valid: true, nbformat: name.slice(1), findings: [] });
  });

  it("reports v2 as an unsupported version", () => {
    const v = validateFixture("v2.ipynb");
    expect(v.valid).toBe(false);
    expect(v.nbformat).toBe("2.None");
    expect(v.findings).toHaveLength(1);
    expect(v.findings[0]).toMatchObject({ rule: "unsupported-version", severity: "error", path: ["nbformat"] });
    expect(v.findings[0]?.message).toMatch(/convert/);
  });

  it("names the bad output type, where it is and what to do", () => {
    const v = validateFixture("invalid-output-type.ipynb");
    expect(v.valid).toBe(false);
    expect(v.findings).toEqual([
      {
        rule: "schema",
        severity: "error",
        path: ["cells", 1, "outputs", 0, "output_type"],
        message:
          'cells[1].outputs[0].output_type "foo" is not one of execute_result, display_data, stream, error: fix or remove the output.',
      },
    ]);
  });

  it("reports an invalid cell id with its path", () => {
    const v = validateFixture("invalid-cell-id.ipynb");
    expect(v.valid).toBe(false);
    expect(v.findings.map((f) => f.path)).toEqual([["cells", 0, "id"]]);
    expect(v.findings[0]?.message).toMatch(/1 to 64 characters/);
  });

  it("reports a duplicate cell id as its own error, while nbformat 5.5.0 still calls the notebook valid", () => {
    const v = validateFixture("duplicate-cell-id.ipynb");
    expect(v.valid).toBe(true);
    expect(v.findings).toHaveLength(1);
    expect(v.findings[0]).toMatchObject({ rule: "duplicate-cell-id", severity: "error", path: ["cells", 2, "id"] });
    expect(v.findings[0]?.message).toMatch(/cells\[0\]/);
  });

  it("does not check a duplicate's id further, as nbformat replaces it before validating", () => {
    const nb = fixtureValue("v4.5.ipynb");
    nb.cells[0].id = "bad id";
    nb.cells[1].id = "bad id";
    const v = validateNotebook(nb);
    expect(v.valid).toBe(false);
    expect(v.findings.map((f) => [f.rule, f.path])).toEqual([
      ["duplicate-cell-id", ["cells", 1, "id"]],
      ["schema", ["cells", 0, "id"]],
    ]);
  });

  it("accepts a 4.5 cell without an id, which nbformat's reader fills in", () => {
    const nb = fixtureValue("v4.5.ipynb");
    delete nb.cells[0].id;
    expect(validateNotebook(nb)).toMatchObject({ valid: true, findings: [] });
  });

  it("applies each minor's own rules", () => {
    const withId = fixtureValue("v4.4.ipynb");
    withId.cells[0].id = "intro";
    const v = validateNotebook(withId);
    expect(v.valid).toBe(false);
    expect(v.findings[0]).toMatchObject({ path: ["cells", 0, "id"] });
    expect(v.findings[0]?.message).toMatch(/does not allow/);

    const execution = fixtureValue("v4.3.ipynb");
    execution.cells[1].metadata.execution = { "iopub.status.busy": 5 };
    expect(validateNotebook(execution).valid).toBe(true);
    execution.nbformat_minor = 4;
    expect(validateNotebook(execution).findings.map((f) => f.path)).toEqual([
      ["cells", 1, "metadata", "execution", "iopub.status.busy"],
    ]);
  });

  it("relaxes a future minor as nbformat does: unknown keys, cell and output types pass", () => {
    const nb = fixtureValue("v4.99.ipynb");
    nb.cells[1].outputs[1].data["text/plain"] = 5;
    expect(validateNotebook(nb)).toMatchObject({ valid: true, nbformat: "4.99" });
    nb.cells[1].outputs.push({ output_type: "stream", name: "stdout" });
    const v = validateNotebook(nb);
    expect(v.valid).toBe(false);
    expect(v.findings[0]?.path).toEqual(["cells", 1, "outputs", 5]);
    expect(v.findings[0]?.message).toMatch(/missing the required key "text"/);
  });

  it("tells 1.0 from 1 when given the text, as Python does", () => {
    const v = validateFixture("float-execution-count.ipynb");
    expect(v.valid).toBe(false);
    expect(v.findings[0]).toMatchObject({ path: ["cells", 1, "execution_count"] });
    expect(v.findings[0]?.message).toMatch(/float 1\.0/);
  });

  it("accepts NaN in metadata, and rejects it as an execution count", () => {
    expect(validateFixture("nan-in-metadata.ipynb").valid).toBe(true);
    const nb = fixtureValue("v4.5.ipynb");
    nb.cells[1].execution_count = NaN;
    expect(validateNotebook(nb).findings.map((f) => f.path)).toEqual([["cells", 1, "execution_count"]]);
  });

  it("reports required keys on the object that lacks them", () => {
    const v = validateFixture("missing-cells.ipynb");
    expect(v).toMatchObject({ valid: false, nbformat: "4.4" });
    expect(v.findings).toHaveLength(1);
    expect(v.findings[0]).toMatchObject({ path: [] });
    expect(v.findings[0]?.message).toMatch(/"cells"/);
  });

  it("prints versions as nbformat does", () => {
    expect(validateNotebook({ nbformat: 4, cells: [], metadata: {} }).nbformat).toBe("4.None");
    expect(validateNotebook({ nbformat: 4, nbformat_minor: true, cells: [], metadata: {} }).nbformat).toBe("4.True");
    expect(validateNotebook({ cells: [] }).nbformat).toBe("None.None");
  });

  it("rejects versions nbformat cannot validate", () => {
    const cases: Array<[Record<string, unknown>, Finding["rule"]]> = [
      [{ nbformat: 1, nbformat_minor: 0 }, "unsupported-version"],
      [{ nbformat: 5, nbformat_minor: 0 }, "unsupported-version"],
      [{ nbformat: 4, nbformat_minor: -1 }, "unsupported-version"],
      [{ nbformat: 3, nbformat_minor: 1, worksheets: [], metadata: {} }, "unsupported-version"],
      [{ nbformat: "4", nbformat_minor: 5 }, "schema"],
      [{ nbformat: 4, nbformat_minor: "5" }, "schema"],
    ];
    for (const [nb, rule] of cases) {
      const v = validateNotebook({ cells: [], metadata: {}, ...nb });
      expect(v.valid).toBe(false);
      expect(v.findings[0]?.rule).toBe(rule);
    }
  });

  it("caps the findings on a badly broken notebook", () => {
    const nb = fixtureValue("v4.5.ipynb");
    nb.cells = Array.from({ length: 500 }, (_, k) => ({ cell_type: "nope", id: `c${k}`, metadata: {}, source: "" }));
    const v = validateNotebook(nb);
    expect(v.valid).toBe(false);
    expect(v.findings).toHaveLength(101);
    expect(v.findings[100]?.message).toMatch(/400 more/);
  });

  it("gives every finding a path", () => {
    for (const name of ["invalid-output-type.ipynb", "extra-cell-key.ipynb", "missing-cells.ipynb", "v2.ipynb"]) {
      for (const f of validateFixture(name).findings) expect(f.path, f.message).toBeDefined();
    }
  });

  it("never throws on arbitrary JSON values, notebook-shaped or not", () => {
    const cell = fc.record({
      cell_type: fc.constantFrom("code", "markdown", "raw", "other"),
      id: fc.oneof(fc.string(), fc.integer()),
      metadata: fc.jsonValue(),
      source: fc.oneof(fc.string(), fc.array(fc.jsonValue())),
      outputs: fc.array(fc.record({ output_type: fc.jsonValue(), data: fc.jsonValue(), text: fc.jsonValue() })),
    }, { requiredKeys: [] });
    const notebook = fc.record({
      cells: fc.oneof(fc.array(cell), fc.jsonValue()),
      metadata: fc.jsonValue(),
      nbformat: fc.oneof(fc.constantFrom(3, 4), fc.jsonValue()),
      nbformat_minor: fc.oneof(fc.integer({ min: -1, max: 7 }), fc.jsonValue()),
      worksheets: fc.jsonValue(),
    }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(notebook, fc.jsonValue()), (value) => {
        const v = validateNotebook(value, JSON.stringify(value));
        expect(typeof v.valid).toBe("boolean");
        for (const f of v.findings) expect(f.path).toBeDefined();
      }),
      { numRuns: 1000 },
    );
  });
});
