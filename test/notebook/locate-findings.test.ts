import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Finding, JsonPath } from "../../src/notebook/finding.js";
import { locateFindings } from "../../src/notebook/locate-findings.js";

/** nbformat writes JSON with a one-space indent. */
function nbformatText(value: unknown): string {
  return JSON.stringify(value, null, 1) + "\n";
}

function finding(path: JsonPath, lineInValue?: number): Finding {
  const f: Finding = { rule: "secret", severity: "error", message: "m", path };
  if (lineInValue !== undefined) f.lineInValue = lineInValue;
  return f;
}

function locate(text: string, path: JsonPath, lineInValue?: number, notebook?: unknown): Finding {
  const [located] = locateFindings(text, [finding(path, lineInValue)], notebook);
  return located as Finding;
}

/** The raw text from the reported position to the end of its line. */
function at(text: string, f: Finding): string {
  const line = text.split("\n")[(f.line ?? 0) - 1] ?? "";
  return line.slice((f.column ?? 0) - 1);
}

function offsetOf(text: string, f: Finding): number {
  const lines = text.split("\n");
  let offset = 0;
  for (let i = 0; i < (f.line ?? 1) - 1; i++) offset += (lines[i] as string).length + 1;
  return offset + (f.column ?? 1) - 1;
}

const nb = {
  cells: [
    { cell_type: "markdown", metadata: {}, source: ["# Title\n", "text"] },
    {
      cell_type: "code",
      execution_count: 1,
      metadata: {},
      outputs: [{ output_type: "stream", name: "stdout", text: ["a\n", "b\n"] }],
      source: ["import os\n", "!pip install numpy\n", "\n", "x = 1"],
    },
    { cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: 'first\nsecond "quoted" \\ line\nthird' },
  ],
  metadata: { language_info: { name: "python" } },
  nbformat: 4,
  nbformat_minor: 5,
};

describe("locateFindings", () => {
  it("points at a line of a source stored as a list of strings", () => {
    const text = nbformatText(nb);
    const f = locate(text, ["cells", 1, "source"], 1);
    expect(f).toMatchObject({ cell: 1 });
    expect(at(text, f)).toBe('!pip install numpy\\n",');
    expect(at(text, locate(text, ["cells", 1, "source"], 3))).toBe('x = 1"');
    // Line 2 is the empty line, an element of its own.
    expect(at(text, locate(text, ["cells", 1, "source"], 2))).toBe('\\n",');
  });

  it("points inside a source stored as one string with \\n escapes", () => {
    const text = nbformatText(nb);
    expect(at(text, locate(text, ["cells", 2, "source"], 0))).toMatch(/^first\\n/);
    expect(at(text, locate(text, ["cells", 2, "source"], 1))).toMatch(/^second \\"quoted\\" \\\\ line\\n/);
    expect(at(text, locate(text, ["cells", 2, "source"], 2))).toBe('third"');
  });

  it("points at the member name of an object value and at array elements", () => {
    const text = nbformatText(nb);
    expect(at(text, locate(text, ["cells", 1, "outputs", 0]))).toBe("{");
    expect(at(text, locate(text, ["cells", 1, "outputs", 0, "text"], 1))).toBe('b\\n"');
    expect(at(text, locate(text, ["metadata", "language_info"]))).toBe('"language_info": {');
    expect(locate(text, [])).toMatchObject({ line: 1, column: 1 });
  });

  it("falls back to the deepest existing ancestor of a missing key", () => {
    const text = nbformatText(nb);
    expect(at(text, locate(text, ["metadata", "kernelspec"]))).toBe('"metadata": {');
    expect(at(text, locate(text, ["cells", 9, "source"], 3))).toBe('"cells": [');
  });

  it("reads escaped member names and lets a duplicate key win as JSON.parse does", () => {
    const text = '{"a\\"b": 1,\n "\\u0063ells": [\n  "x"],\n "k": 1,\n "k": [\n  2]}';
    expect(locate(text, ['a"b'])).toMatchObject({ line: 1, column: 2 });
    expect(at(text, locate(text, ["cells", 0]))).toBe('"x"],');
    expect(at(text, locate(text, ["k", 0]))).toBe("2]}");
  });

  it("handles CRLF line endings, a BOM and compact JSON", () => {
    const crlf = nbformatText(nb).replace(/\n/g, "\r\n");
    expect(at(crlf, locate(crlf, ["cells", 1, "source"], 1))).toBe('!pip install numpy\\n",\r');
    const compact = "\ufeff" + JSON.stringify(nb);
    const f = locate(compact, ["cells", 1, "source"], 1);
    expect(f.line).toBe(1);
    expect(compact.slice(offsetOf(compact, f))).toMatch(/^!pip install numpy/);
  });

  it("numbers v3 cells across worksheets", () => {
    const v3 = { nbformat: 3, worksheets: [{ cells: [{}, {}] }, { cells: [{}, { input: "x" }] }] };
    const text = nbformatText(v3);
    expect(locate(text, ["worksheets", 1, "cells", 1, "input"], 0, v3)).toMatchObject({ cell: 3 });
  });

  it("skips 100,000 levels of nesting, and finds a value 100,000 levels down, without recursion", () => {
    const depth = 100_000;
    const deep = "[".repeat(depth) + "]".repeat(depth);
    const text = `{"deep": ${deep},\n"after": ["x"]}`;
    expect(at(text, locate(text, ["after", 0]))).toBe('"x"]}');
    const path: JsonPath = Array.from({ length: depth - 1 }, () => 0);
    const located = locate(text, ["deep", ...path]);
    expect(located).toMatchObject({ line: 1, column: 10 + depth - 1 });
  });

  it("keeps findings that have no path or already have a line, and does not modify its input", () => {
    const text = nbformatText(nb);
    const given: Finding[] = [
      { rule: "invalid-json", severity: "error", message: "m", line: 4, column: 2 },
      { rule: "notebook-size", severity: "warning", message: "m" },
    ];
    const copy = structuredClone(given);
    expect(locateFindings(text, given)).toEqual(copy);
    expect(given).toEqual(copy);
  });

  it("skips strings of any length, escapes at any place and long runs of strings before a target", () => {
    // Around the lengths and counts at which the scanner passes strings in bulk or one by one.
    const lines: string[] = [];
    for (const length of [0, 1, 198, 199, 200, 201, 202, 400, 5000]) {
      for (const tail of ["", '"', "\\", '\\"', '"]}', "\\\\"]) lines.push("x".repeat(Math.max(0, length - tail.length)) + tail + "\n");
    }
    // Brackets inside strings must not count, whichever way a string is passed.
    for (let k = 0; k < 150; k++) lines.push(`line ${k} "q[uo]t{ed}" \\ ]}\n`);
    const doc = {
      cells: [
        { cell_type: "markdown", metadata: {}, source: lines },
        { cell_type: "code", metadata: {}, outputs: [], source: ["a = 1\n", "b = 2"] },
      ],
    };
    for (const text of [nbformatText(doc), JSON.stringify(doc)]) {
      expect(at(text, locate(text, ["cells", 1, "source"], 1))).toMatch(/^b = 2"/);
      expect(at(text, locate(text, ["cells", 0, "source"], lines.length - 1))).toMatch(/^line 149 /);
    }
  });

  it("stops quietly on text that is not JSON", () => {
    expect(locate('{"cells": [ "unterminated', ["cells", 0])).toMatchObject({ cell: 0 });
    expect(locate("", ["cells"]).line).toBeUndefined();
  });

  it("always points at the value a path names, for any JSON and any path in it", () => {
    const paths = (value: unknown): JsonPath[] => {
      const out: JsonPath[] = [];
      const stack: Array<[unknown, JsonPath]> = [[value, []]];
      while (stack.length > 0) {
        const [v, p] = stack.pop() as [unknown, JsonPath];
        if (p.length > 0) out.push(p);
        if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, [...p, i]]));
        else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) stack.push([x, [...p, k]]);
      }
      return out;
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = pretty ? JSON.stringify(value, null, 1) : JSON.stringify(value);
        const all = paths(value);
        const located = locateFindings(text, all.map((p) => finding(p)));
        located.forEach((f, i) => {
          const path = all[i] as JsonPath;
          let target: unknown = value;
          for (const key of path) target = (target as Record<string | number, unknown>)[key];
          const last = path[path.length - 1];
          const rest = text.slice(offsetOf(text, f));
          // Indented output nests differently at each depth, so compare its first line only.
          const serialized = pretty ? (JSON.stringify(target, null, 1).split("\n")[0] as string) : JSON.stringify(target);
          if (typeof last === "number") expect(rest.startsWith(serialized)).toBe(true);
          else expect(rest.startsWith(JSON.stringify(last))).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("points at every line of any source, stored either way", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme" }), { maxLength: 8 }), fc.boolean(), fc.boolean(), (parts, asList, pretty) => {
        const joined = parts.join("\n");
        const source = asList ? joined.split(/(?<=\n)/) : joined;
        const doc = { cells: [{ cell_type: "code", source, outputs: [] }] };
        const text = pretty ? JSON.stringify(doc, null, 1) : JSON.stringify(doc);
        const lines = joined.split("\n");
        const located = locateFindings(text, lines.map((_, k) => finding(["cells", 0, "source"], k)));
        located.forEach((f, k) => {
          const escaped = JSON.stringify(lines[k]).slice(1, -1);
          expect(text.slice(offsetOf(text, f)).startsWith(escaped)).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });
});
