import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { injectParameters, toPythonLiteral, type NotebookV4, type ParameterValue } from "../../src/notebook/inject-parameters.js";

function notebook(cells: Array<Record<string, unknown>>, minor = 5): NotebookV4 {
  return { nbformat: 4, nbformat_minor: minor, metadata: { kernelspec: { name: "python3" } }, cells };
}

const code = (id: string, source: string, tags?: string[]) => ({
  cell_type: "code",
  id,
  metadata: tags ? { tags } : {},
  source,
  outputs: [],
  execution_count: null,
});

/** Runs the rendered assignments in Python and returns the values as Python sees them (as JSON). */
function evaluateInPython(source: string, names: string[]): unknown {
  const program = `import json, math, sys
namespace = {}
exec(sys.stdin.read(), {}, namespace)
def plain(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return {"float": repr(value)}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, float):
        return {"float": repr(value)}
    return value
print(json.dumps({name: plain(namespace[name]) for name in ${JSON.stringify(names)}}))`;
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", program], { input: source }).toString());
}

describe("injectParameters", () => {
  it("puts the injected cell right after the first cell tagged parameters and records the values", () => {
    const nb = notebook([code("a", "import os"), code("p", "lr = 0.1", ["parameters"]), code("b", "train()"), code("p2", "x = 1", ["parameters"])]);
    const { notebook: out, injectedIndex } = injectParameters(nb, { lr: 0.01, name: "run" });
    expect(injectedIndex).toBe(2);
    expect(out.cells.map((cell) => cell.id)).toEqual(["a", "p", "injected-parameters", "b", "p2"]);
    expect(out.cells[2]).toMatchObject({ cell_type: "code", metadata: { tags: ["injected-parameters"] }, outputs: [], execution_count: null });
    expect((out.cells[2]!.source as string[]).join("")).toBe('# Parameters injected by nbtrain\nlr = 0.01\nname = "run"');
    expect(out.metadata).toEqual({ kernelspec: { name: "python3" }, nbtrain: { parameters: { lr: 0.01, name: "run" } } });
    expect(nb.cells).toHaveLength(4); // the input is not modified
  });

  it("puts the cell at the top when no cell is tagged parameters", () => {
    const { notebook: out, injectedIndex } = injectParameters(notebook([code("a", "x")]), { epochs: 3 });
    expect(injectedIndex).toBe(0);
    expect(out.cells.map((cell) => cell.id)).toEqual(["injected-parameters", "a"]);
  });

  it("replaces the cell injected by an earlier run instead of adding a second one", () => {
    const first = injectParameters(notebook([code("p", "lr = 1", ["parameters"]), code("b", "go()")]), { lr: 0.5 }).notebook;
    const second = injectParameters(first, { lr: 0.25 }).notebook;
    expect(second.cells.map((cell) => cell.id)).toEqual(["p", "injected-parameters", "b"]);
    expect((second.cells[1]!.source as string[]).join("")).toContain("lr = 0.25");
    expect((second.metadata.nbtrain as { parameters: unknown }).parameters).toEqual({ lr: 0.25 });
  });

  it("keeps cell ids unique, and adds none before nbformat 4.5", () => {
    const taken = injectParameters(notebook([code("injected-parameters", "x = 1")]), { a: 1 }).notebook;
    const ids = taken.cells.map((cell) => cell.id);
    expect(new Set(ids).size).toBe(ids.length);
    const old = injectParameters(notebook([{ cell_type: "code", metadata: {}, source: "", outputs: [], execution_count: null }], 4), { a: 1 }).notebook;
    expect(old.cells[0]).not.toHaveProperty("id");
  });

  it("rejects names that are not Python identifiers and notebooks that are not nbformat 4", () => {
    expect(() => injectParameters(notebook([]), { "a b": 1 })).toThrow(/not a Python identifier/);
    expect(() => injectParameters(notebook([]), { "import os; x": 1 })).toThrow(/not a Python identifier/);
    expect(() => injectParameters(notebook([]), { class: 1 })).toThrow(/not a Python identifier/);
    expect(() => injectParameters({ ...notebook([]), nbformat: 3 }, { a: 1 })).toThrow(/nbformat 4/);
  });

  it("records non-finite floats in metadata by their Python spelling, since JSON has none", () => {
    const out = injectParameters(notebook([]), { big: Infinity, small: -Infinity, nothing: NaN }).notebook;
    expect((out.metadata.nbtrain as { parameters: unknown }).parameters).toEqual({ big: "inf", small: "-inf", nothing: "nan" });
  });
});

describe("toPythonLiteral, checked by a real Python", () => {
  it("renders every kind of value so Python reads back the same data", () => {
    const values: Record<string, ParameterValue> = {
      none: null,
      yes: true,
      no: false,
      integer: -42,
      decimal: 0.1,
      tiny: 5e-324,
      huge: 1.7976931348623157e308,
      negzero: -0,
      inf: Infinity,
      ninf: -Infinity,
      nan: NaN,
      text: 'He said "hi"\\n and left\n\ttab \u0000 \u0007 \u007f \u0085 \u2028 \ufeff é 🚀',
      injection: '"; import os; os.system("echo pwned"); x = "',
      triple: '"""\'\'\'',
      list: [1, "two", [3.5, null], { k: false }],
      mapping: { "key with spaces": 1, 'quote"key': "v", nested: { deep: [true] } },
    };
    const source = Object.entries(values)
      .map(([name, value]) => `${name} = ${toPythonLiteral(value)}`)
      .join("\n");
    const seen = evaluateInPython(source, Object.keys(values)) as Record<string, unknown>;
    expect(seen).toEqual({
      none: null,
      yes: true,
      no: false,
      integer: -42,
      decimal: { float: "0.1" },
      tiny: { float: "5e-324" },
      huge: { float: "1.7976931348623157e+308" },
      negzero: { float: "-0.0" },
      inf: { float: "inf" },
      ninf: { float: "-inf" },
      nan: { float: "nan" },
      text: values.text,
      injection: values.injection,
      triple: values.triple,
      list: [1, "two", [{ float: "3.5" }, null], { k: false }],
      mapping: values.mapping,
    });
  });

  it("never lets an arbitrary string escape its literal (property test, 200 strings in one Python run)", () => {
    const strings = fc.sample(fc.string({ unit: "binary", maxLength: 40 }), { numRuns: 200, seed: 7 });
    const source = strings.map((text, index) => `s${index} = ${toPythonLiteral(text)}`).join("\n");
    const seen = evaluateInPython(source, strings.map((_, index) => `s${index}`)) as Record<string, string>;
    strings.forEach((text, index) => {
      // Python strings hold code points; a lone surrogate survives as itself.
      expect(seen[`s${index}`]).toBe(text);
    });
  });
});
