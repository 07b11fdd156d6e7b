import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitLines } from "../../../src/notebook/strip/nbformat-lines.js";
import { pythonFloatRepr } from "../../../src/notebook/strip/python-float-repr.js";
import { stripNotebook } from "../../../src/notebook/strip/strip-notebook.js";
import { ORACLE_PYTHON } from "../../support/python-oracle.js";

/** Runs a Python snippet over a JSON input and returns its JSON output. */
function python(code: string, input: unknown): unknown {
  return JSON.parse(execFileSync(ORACLE_PYTHON, ["-c", `import json, sys\ndata = json.load(sys.stdin)\n${code}`], { input: JSON.stringify(input), encoding: "utf8" }));
}

/** nbformat's own writer, applied to a notebook text read with NO_CONVERT. */
function nbformatRewrite(text: string, clear: boolean): string {
  const code = String.raw`
import nbformat, sys, logging
logging.disable(logging.CRITICAL)
nb = nbformat.reads(sys.stdin.read(), as_version=nbformat.NO_CONVERT)
if ${clear ? "True" : "False"}:
    for cell in nb.cells:
        for key in ("collapsed", "scrolled", "ExecuteTime", "execution", "heading_collapsed", "hidden"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
sys.stdout.write(nbformat.writes(nb) + "\n")
`;
  return execFileSync(ORACLE_PYTHON, ["-c", code], { input: text, encoding: "utf8" });
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function nb(cells: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ cells, metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" }, ...extra }, nbformat: 4, nbformat_minor: 5 });
}

describe("pythonFloatRepr", () => {
  it("prints every double as Python's repr does", () => {
    const samples = fc.sample(fc.double({ noNaN: false }), 3000);
    samples.push(1e16, 1e15, 0.0001, 0.00001, 123456789012345680, 5e-324, 1.7976931348623157e308, -0, 0, 2.5, 1 / 3);
    const finite = samples.filter(Number.isFinite);
    // Sent as text (JSON would make 2.0 an int and drop the sign of -0), which reads back to the same double.
    const texts = finite.map((x) => (Object.is(x, -0) ? "-0.0" : String(x)));
    const expected = python("print(json.dumps([repr(float(x)) for x in data]))", texts) as string[];
    expect(finite.map(pythonFloatRepr)).toEqual(expected);
    expect([NaN, Infinity, -Infinity].map(pythonFloatRepr)).toEqual(["NaN", "Infinity", "-Infinity"]);
  });
});

describe("splitLines", () => {
  it("splits where Python's str.splitlines(True) splits", () => {
    const alphabet = ["a", "b", "\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\t", "é", "😀"];
    const texts = fc.sample(fc.array(fc.constantFrom(...alphabet), { maxLength: 12 }).map((parts) => parts.join("")), 500);
    const expected = python("print(json.dumps([t.splitlines(True) for t in data]))", texts);
    expect(texts.map(splitLines)).toEqual(expected);
  });
});

describe("stripNotebook", () => {
  const messy = nb(
    [
      { cell_type: "markdown", id: "m", metadata: { hidden: true, tags: ["keep"] }, source: "# Title\nline" },
      {
        cell_type: "code",
        execution_count: 7,
        id: "c",
        metadata: { collapsed: false, scrolled: true, ExecuteTime: { end_time: "2024" }, trusted: true, custom: "__ONE__" },
        outputs: [
          { output_type: "stream", name: "stdout", text: "a\nb\n" },
          { output_type: "execute_result", execution_count: 7, metadata: {}, data: { "text/plain": ["1\n", "2"], "image/png": "iVBOR\n" } },
        ],
        source: ["x = 1.0\n", "y = 12345678901234567890123\n", "print(x)"],
      },
    ],
    { widgets: { "application/vnd.jupyter.widget-state+json": { state: {} } }, signature: "sha256:x", big: "__BIG__", small: 1e-7, one: "__ONE__" },
  )
    // Number tokens JSON.stringify cannot write: an int past 2^53 and a float with an integral value.
    .replaceAll('"__BIG__"', "12345678901234567890123")
    .replaceAll('"__ONE__"', "1.0");

  it("clears outputs, counts and volatile metadata, byte for byte as nbformat writes the same edit", () => {
    const result = stripNotebook(bytes(messy));
    expect(result).toMatchObject({ ok: true, changed: true });
    if (!result.ok) return;
    expect(result.text).toBe(nbformatRewrite(messy, true));
    // Big ints keep every digit; 1.0 stays a float; a float is in Python's notation.
    expect(result.text).toContain('"big": 12345678901234567890123');
    expect(result.text).toContain('"one": 1.0');
    expect(result.text).toContain('"small": 1e-07');
    expect(result.text).not.toContain("ExecuteTime");
    expect(result.text).toContain('"tags"');
  });

  it("keeps what it is told to keep, and is idempotent", () => {
    const kept = stripNotebook(bytes(messy), { keepOutput: true, keepCount: true, dropMetadata: [] });
    expect(kept.ok && kept.text).toBe(nbformatRewrite(messy, false));
    const once = stripNotebook(bytes(messy));
    const twice = once.ok ? stripNotebook(bytes(once.text)) : once;
    expect(twice).toMatchObject({ ok: true, changed: false });
  });

  it("refuses what it cannot read exactly or what nbformat would rewrite at random", () => {
    const cell = { cell_type: "code", execution_count: null, id: "a", metadata: {}, outputs: [], source: "" };
    const duplicateKey = nb([cell]).replace('"source":""', '"source":"","source":"x"');
    expect(stripNotebook(bytes(duplicateKey))).toMatchObject({ ok: false, message: expect.stringMatching(/Duplicate key "source"/) });
    const loneSurrogate = nb([{ ...cell, source: "\ud800" }]);
    expect(stripNotebook(bytes(loneSurrogate))).toMatchObject({ ok: false, message: expect.stringMatching(/lone UTF-16 surrogate/) });
    const noId = nb([{ ...cell, id: undefined }]);
    expect(stripNotebook(bytes(noId))).toMatchObject({ ok: false, message: expect.stringMatching(/has no id/) });
    const invalid = nb([{ ...cell, source: 3 }]);
    expect(stripNotebook(bytes(invalid))).toMatchObject({ ok: false, message: expect.stringMatching(/not a valid notebook/) });
    expect(stripNotebook(bytes("\xff"))).toMatchObject({ ok: false });
  });
});
