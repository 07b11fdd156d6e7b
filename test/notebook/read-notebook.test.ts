import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readNotebook } from "../../src/notebook/read-notebook.js";
import { parsePythonJson } from "../../src/notebook/schema/parse-python-json.js";
import { validateNotebook } from "../../src/notebook/validate-notebook.js";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const minimal = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}';

describe("readNotebook", () => {
  it("parses a notebook and keeps its text", () => {
    const result = readNotebook(utf8(minimal));
    expect(result).toEqual({ ok: true, text: minimal, value: JSON.parse(minimal) });
  });

  it("reports an empty file", () => {
    const result = readNotebook(new Uint8Array(0));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.finding).toMatchObject({ rule: "invalid-json", severity: "error" });
    expect(result.finding.message).toMatch(/empty/);
  });

  it("reports a binary file", () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const result = readNotebook(png);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.text).toBeNull();
    expect(result.finding).toMatchObject({ rule: "invalid-json", line: 1, column: 1 });
    expect(result.finding.message).toMatch(/not valid UTF-8/);
  });

  it("reports a binary file that happens to be UTF-8 (NUL bytes)", () => {
    const result = readNotebook(Uint8Array.from([0, 1, 2, 3, 0x41]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.finding.message).toMatch(/binary/);
  });

  it("points at the first invalid UTF-8 byte", () => {
    const bytes = Uint8Array.from([...utf8('{\n "a": "é'), 0xc3, 0x28, ...utf8('"}')]);
    const result = readNotebook(bytes);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.finding).toMatchObject({ rule: "invalid-json", line: 2 });
    expect(result.finding.message).toMatch(/offset 11/);
  });

  it("rejects a UTF-8 BOM as nbformat does", () => {
    const result = readNotebook(utf8(`\ufeff${minimal}`));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.text).toBe(`\ufeff${minimal}`);
    expect(result.finding).toMatchObject({ rule: "invalid-json", line: 1, column: 1 });
    expect(result.finding.message).toMatch(/BOM/);
  });

  it("reads JSON that is an array or a number, and leaves the verdict to the validator", () => {
    for (const text of ["[1, 2]", "42", "null", '"text"']) {
      const result = readNotebook(utf8(text));
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      const v = validateNotebook(result.value, result.text);
      expect(v).toMatchObject({ valid: false, nbformat: null });
      expect(v.findings[0]).toMatchObject({ rule: "schema", path: [] });
    }
  });

  it("accepts NaN, Infinity and -Infinity as Python's json does", () => {
    const text = '{"a": NaN, "b": [Infinity, -Infinity], "c": 1}';
    const result = readNotebook(utf8(text));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const value = result.value as { a: number; b: number[]; c: number };
    expect(Number.isNaN(value.a)).toBe(true);
    expect(value.b).toEqual([Infinity, -Infinity]);
    expect(value.c).toBe(1);
  });

  it("gives the line and column of a JSON syntax error", () => {
    const result = readNotebook(utf8('{\n "cells": [\n  1,\n  2 3\n ]\n}'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.finding).toMatchObject({ rule: "invalid-json", line: 4, column: 5 });
    expect(result.finding.message).toMatch(/Expecting ',' delimiter/);
  });

  it("rejects what Python's json rejects", () => {
    for (const text of ["{'a': 1}", '{"a": +Infinity}', '{"a": 01}', '{"a": 1,}', '{"a": "\t"}', '{"a": 1} x', "", " "]) {
      expect(readNotebook(utf8(text)).ok, text).toBe(false);
    }
  });

  it("reads JSON nested 100,000 levels deep without overflowing the stack, and the validator flags it", () => {
    const depth = 100_000;
    for (const inner of ["[".repeat(depth) + "]".repeat(depth), "[".repeat(depth) + "NaN" + "]".repeat(depth)]) {
      const text = `{"cells": [], "metadata": {"deep": ${inner}}, "nbformat": 4, "nbformat_minor": 5}`;
      const result = readNotebook(utf8(text));
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const v = validateNotebook(result.value, result.text);
      expect(v.valid).toBe(false);
      const finding = v.findings.find((f) => f.message.includes("nested"));
      expect(finding?.rule).toBe("schema");
      expect(finding?.path?.slice(0, 2)).toEqual(["metadata", "deep"]);
      expect(finding?.message.length).toBeLessThan(400);
    }
  });

  it("reads a 200 MB notebook", () => {
    const line = `"${"A".repeat(1_000_000)}\\n"`;
    const lines = new Array(200).fill(line).join(",");
    const text = `{"cells": [{"cell_type": "code", "execution_count": 1, "id": "big", "metadata": {}, "outputs": [{"output_type": "stream", "name": "stdout", "text": [${lines}]}], "source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`;
    const bytes = Buffer.from(text, "latin1");
    expect(bytes.length).toBeGreaterThan(200_000_000);
    const result = readNotebook(bytes);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(validateNotebook(result.value, result.text)).toMatchObject({ valid: true, nbformat: "4.5", findings: [] });
  });

  it("falls back to a parser that agrees with JSON.parse on JSON and on where it breaks", () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom("", "}", ",", "]", '"', "\\", "\u0001", "x"), (text, at, junk) => {
        expect(parsePythonJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
        const broken = text.slice(0, at % (text.length + 1)) + junk + text.slice(at % (text.length + 1));
        let strict = true;
        try {
          JSON.parse(broken);
        } catch {
          strict = false;
        }
        expect(parsePythonJson(broken).ok).toBe(strict);
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws, whatever the bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const result = readNotebook(bytes);
        if (!result.ok) expect(result.finding.rule).toBe("invalid-json");
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(readNotebook(utf8(text)).ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("reads non-ASCII text as JSON.parse reads it, and still rejects what strict JSON rejects", () => {
    fc.assert(
      fc.property(fc.json({ stringUnit: "binary" }), (text) => {
        const result = readNotebook(utf8(text));
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.value).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
    // A non-ASCII character after a backslash is a bad escape, and one outside a string is a syntax error.
    for (const text of ['{"a": "\\é"}', '{"a": 1é}', '{"é": 1, é}', '["a" ,é "b"]']) {
      const result = readNotebook(utf8(text));
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.finding.rule).toBe("invalid-json");
    }
    expect(readNotebook(utf8('{"a": "\\\\é"}'))).toMatchObject({ ok: true, value: { a: "\\é" } });
  });
});
