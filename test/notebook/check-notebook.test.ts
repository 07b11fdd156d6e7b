import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkNotebook } from "../../src/notebook/check-notebook.js";
import { RULE_IDS, type Finding, type NotebookReport } from "../../src/notebook/finding.js";
import { tokenBody } from "./lint/notebook-builder.js";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/lint/${name}`, import.meta.url)));
const bytes = (text: string) => new TextEncoder().encode(text);

/** The raw line a finding points at. */
function lineOf(text: string, finding: Finding | undefined): string {
  return text.split("\n")[(finding?.line ?? 0) - 1] ?? "";
}

function rules(report: NotebookReport): string[] {
  return report.findings.map((f) => f.rule);
}

describe("checkNotebook", () => {
  it("passes a clean notebook with no findings", () => {
    expect(checkNotebook("clean.ipynb", fixture("clean.ipynb"))).toEqual({ path: "clean.ipynb", valid: true, nbformat: "4.5", findings: [] });
  });

  it("places every finding of a messy notebook on its cell and on the raw line that shows the problem", () => {
    const raw = fixture("messy.ipynb");
    const text = raw.toString("utf8");
    const report = checkNotebook("nb/messy.ipynb", raw);
    expect(report).toMatchObject({ path: "nb/messy.ipynb", valid: true, nbformat: "4.5" });
    const byRule = (rule: string) => report.findings.filter((f) => f.rule === rule);

    const installs = byRule("unpinned-install");
    expect(installs.map((f) => f.cell)).toEqual([1, 1]);
    expect(lineOf(text, installs[0])).toContain("!pip install -q torch==2.1.0 torchvision");
    expect(lineOf(text, installs[1])).toContain("%pip install --upgrade transformers");
    expect(installs[0]?.column).toBe(lineOf(text, installs[0]).indexOf("!") + 1);

    const drive = byRule("colab-drive-path");
    expect(drive.map((f) => f.cell)).toEqual([2, 3]);
    expect(lineOf(text, drive[0])).toContain("pd.read_csv('/content/drive/MyDrive/data.csv')");
    // A source kept as one string: the whole cell is one raw line, the column finds the right line in it.
    expect(lineOf(text, drive[1]).slice((drive[1]?.column ?? 0) - 1)).toMatch(/^model\.save\('\/content\/drive/);

    const errors = byRule("error-output");
    expect(errors.map((f) => f.cell)).toEqual([2, 3]);
    expect(errors.every((f) => lineOf(text, f).trim() === "{")).toBe(true);

    expect(byRule("execution-order")).toMatchObject([{ cell: 2, severity: "info" }]);
    expect(byRule("missing-kernelspec")).toMatchObject([{ severity: "info" }]);
    expect(lineOf(text, byRule("missing-kernelspec")[0])).toContain('"metadata": {');

    const lines = report.findings.map((f) => f.line ?? 0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it("numbers v3 cells across worksheets", () => {
    const raw = fixture("v3-worksheets.ipynb");
    const report = checkNotebook("v3.ipynb", raw);
    expect(report).toMatchObject({ valid: true, nbformat: "3.0" });
    const install = report.findings.find((f) => f.rule === "unpinned-install");
    expect(install?.cell).toBe(2);
    expect(lineOf(raw.toString("utf8"), install)).toContain("!pip install requests");
    expect(report.findings.find((f) => f.rule === "error-output")?.cell).toBe(2);
  });

  it("applies the severity config: off drops a rule, a severity replaces the default", () => {
    const raw = fixture("messy.ipynb");
    const report = checkNotebook("messy.ipynb", raw, {
      rules: { "unpinned-install": "off", "error-output": "error", "execution-order": "warning" },
    });
    expect(rules(report)).not.toContain("unpinned-install");
    expect(report.findings.filter((f) => f.rule === "error-output").map((f) => f.severity)).toEqual(["error", "error"]);
    expect(report.findings.find((f) => f.rule === "execution-order")?.severity).toBe("warning");
    expect(report.findings.find((f) => f.rule === "colab-drive-path")?.severity).toBe("warning");
  });

  it("changes validation severities too", () => {
    const broken = bytes(JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: "none" }));
    expect(checkNotebook("b.ipynb", broken).findings.find((f) => f.rule === "schema")?.severity).toBe("error");
    const relaxed = checkNotebook("b.ipynb", broken, { rules: { schema: "warning" } });
    expect(relaxed.valid).toBe(false);
    expect(relaxed.findings.find((f) => f.rule === "schema")?.severity).toBe("warning");
    expect(rules(checkNotebook("b.ipynb", broken, { rules: { schema: "off" } }))).not.toContain("schema");
  });

  it("takes limits from options, keeping defaults for the rest", () => {
    const raw = fixture("clean.ipynb");
    const report = checkNotebook("clean.ipynb", raw, { limits: { notebook_bytes: 100, output_bytes: undefined } });
    expect(report.findings).toMatchObject([{ rule: "notebook-size", line: 1, column: 1 }]);
    expect(report.findings[0]?.message).toContain(`over the 100 B limit`);
  });

  it("finds a secret and points at its raw line without echoing it", () => {
    const token = "gh" + "p_" + tokenBody(36, undefined, 47);
    const nb = {
      nbformat: 4,
      nbformat_minor: 4,
      metadata: { kernelspec: { name: "python3", display_name: "Python 3" } },
      cells: [{ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: ["import os\n", `os.environ["GH"] = "${token}"\n`] }],
    };
    const text = JSON.stringify(nb, null, 1);
    const report = checkNotebook("s.ipynb", bytes(text));
    expect(report.findings).toMatchObject([{ rule: "secret", severity: "error", cell: 0 }]);
    expect(lineOf(text, report.findings[0])).toContain(token);
    expect(JSON.stringify(report)).not.toContain(token.slice(4, 16));
  });

  it.each([
    ["an empty file", new Uint8Array()],
    ["a binary file", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ["invalid UTF-8", Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ["a BOM", bytes('\ufeff{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}')],
    ["truncated JSON", bytes('{"nbformat": 4, "cells": [')],
  ])("reports %s as unreadable, never throwing", (_name, input) => {
    const report = checkNotebook("bad.ipynb", input);
    expect(report).toMatchObject({ valid: false, nbformat: null });
    expect(rules(report)).toContain("invalid-json");
  });

  it.each([
    ["an array", "[1, 2]"],
    ["a number", "42"],
    ["a string", '"notebook"'],
  ])("reports JSON that is %s as invalid, without lint", (_name, text) => {
    const report = checkNotebook("x.ipynb", bytes(text));
    expect(report).toMatchObject({ valid: false, nbformat: null });
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.severity === "error")).toBe(true);
  });

  it("survives nesting 100,000 levels deep", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const text = `{"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "display_name": "P"}, "deep": ${deep}}, "cells": []}`;
    const report = checkNotebook("deep.ipynb", bytes(text));
    expect(report.valid).toBe(false);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.line === 1)).toBe(true);
  });

  it("turns an internal failure into a read-error finding instead of throwing", () => {
    const hostile = new Proxy({}, { get: () => { throw new RangeError("boom"); } });
    const report = checkNotebook("h.ipynb", fixture("messy.ipynb"), { rules: hostile, limits: {} });
    expect(report.valid).toBe(false);
    expect(report.findings.at(-1)).toMatchObject({ rule: "read-error", severity: "error" });
    expect(report.findings.at(-1)?.message).toContain("failed while checking this notebook (RangeError)");
  });

  it("never throws and only reports known rules, whatever the bytes or the shape", () => {
    const anyNotebook = fc.record(
      {
        nbformat: fc.oneof(fc.constantFrom(3, 4, 5), fc.jsonValue()),
        nbformat_minor: fc.oneof(fc.nat(6), fc.jsonValue()),
        metadata: fc.oneof(fc.constant({ kernelspec: { name: "python3", display_name: "P" } }), fc.jsonValue()),
        cells: fc.oneof(
          fc.array(
            fc.record(
              {
                cell_type: fc.constantFrom("code", "markdown", "raw", 7),
                source: fc.oneof(fc.string(), fc.array(fc.string()), fc.jsonValue(), fc.constant("!pip install x\n/content/drive/y")),
                outputs: fc.oneof(fc.jsonValue(), fc.array(fc.record({ output_type: fc.constantFrom("error", "stream", "display_data"), name: fc.constant("stderr"), text: fc.jsonValue(), data: fc.jsonValue() }, { requiredKeys: [] }))),
                execution_count: fc.oneof(fc.integer(), fc.constant(null), fc.jsonValue()),
                metadata: fc.jsonValue(),
              },
              { requiredKeys: [] },
            ),
          ),
          fc.jsonValue(),
        ),
        worksheets: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const input = fc.oneof(
      anyNotebook.map((nb) => bytes(JSON.stringify(nb, null, 1))),
      fc.jsonValue().map((v) => bytes(JSON.stringify(v) ?? "null")),
      fc.uint8Array({ maxLength: 200 }),
    );
    fc.assert(
      fc.property(input, (raw) => {
        const report = checkNotebook("p.ipynb", raw);
        expect(typeof report.valid).toBe("boolean");
        for (const f of report.findings) {
          expect(RULE_IDS).toContain(f.rule);
          expect(typeof f.message).toBe("string");
        }
      }),
      { numRuns: 400 },
    );
  });

  it("counts columns in the file's own characters on lines that hold non-ASCII text", () => {
    // One raw line: the column of the install command comes after accented letters, CJK and an emoji.
    const text = JSON.stringify({
      cells: [
        { cell_type: "markdown", id: "a", metadata: {}, source: "Données 数据 😀 ok" },
        { cell_type: "code", execution_count: null, id: "b", metadata: {}, outputs: [], source: "!pip install numpy" },
      ],
      metadata: { kernelspec: { name: "python3", display_name: "Python 3" } },
      nbformat: 4,
      nbformat_minor: 5,
    });
    const report = checkNotebook("u.ipynb", bytes(text));
    expect(report).toMatchObject({ valid: true, nbformat: "4.5" });
    expect(report.findings).toMatchObject([{ rule: "unpinned-install", cell: 1, line: 1, column: text.indexOf("!pip") + 1 }]);
  });

  it("gives the same report whether a notebook's non-ASCII text is raw or written as \\u escapes", () => {
    const notebookWith = (extra: string) =>
      fc.record({
        markdown: fc.string({ unit: "grapheme", maxLength: 30 }),
        code: fc.string({ unit: "binary", maxLength: 30 }),
        output: fc.string({ unit: "grapheme", maxLength: 30 }),
      }).map(({ markdown, code, output }) => ({
        cells: [
          { cell_type: "markdown", id: "m", metadata: {}, source: [markdown + "\n", extra] },
          {
            cell_type: "code",
            execution_count: 2,
            id: "c",
            metadata: {},
            outputs: [{ output_type: "stream", name: "stderr", text: [output, "Traceback (most recent call last)\n"] }],
            source: [code + "\n", "!pip install numpy\n"],
          },
          { cell_type: "code", execution_count: 1, id: "d", metadata: {}, outputs: [], source: "x = 1 # é" },
        ],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }));
    fc.assert(
      fc.property(notebookWith("é😀"), fc.boolean(), (nb, compact) => {
        const raw = JSON.stringify(nb, null, compact ? undefined : 1);
        // The same document with every non-ASCII character escaped.
        const escaped = raw.replace(/[^\x00-\x7f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
        const a = checkNotebook("a.ipynb", bytes(raw));
        const b = checkNotebook("a.ipynb", bytes(escaped));
        expect(a.valid).toBe(b.valid);
        expect(a.findings.map((f) => [f.rule, f.cell, f.line])).toEqual(b.findings.map((f) => [f.rule, f.cell, f.line]));
        // Columns count the raw characters of each file.
        for (const [report, text] of [[a, raw], [b, escaped]] as const) {
          for (const f of report.findings) {
            if (f.line === undefined || f.column === undefined) continue;
            const line = text.split("\n")[f.line - 1] ?? "";
            expect(f.column).toBeGreaterThanOrEqual(1);
            expect(f.column).toBeLessThanOrEqual(line.length + 1);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
