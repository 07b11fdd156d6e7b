import { describe, expect, it } from "vitest";
import { largeImageRule } from "../../../src/notebook/lint/large-image.js";
import { measureJsonSize } from "../../../src/notebook/lint/measure-json-size.js";
import { notebookSizeRule } from "../../../src/notebook/lint/notebook-size.js";
import { outputSizeRule } from "../../../src/notebook/lint/output-size.js";
import { widgetStateRule } from "../../../src/notebook/lint/widget-state.js";
import { codeCell, markdownCell, notebook, runRule } from "./notebook-builder.js";

function utf8Length(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

describe("measureJsonSize", () => {
  it.each([
    ["ascii", { a: "hello", b: [1, 2.5, -3e21, true, false, null] }],
    ["escapes", { "k\"ey": "line\nbreak\ttab\u0001ctl\\slash\"quote" }],
    ["multibyte", { text: "héllo wörld ✓ 😀 \ud800 lone", nested: [[[]], {}] }],
    ["long strings", { b64: `${"iVBORw0K+/=".repeat(1000)}\n`, log: "tab\tquote\"\u001b[31m é 😀 ".repeat(500) }],
    ["a long string with a lone surrogate", { text: "x".repeat(5000) + "\udc00" }],
  ])("equals the UTF-8 length of JSON.stringify for %s", (_name, value) => {
    expect(measureJsonSize(value)).toBe(utf8Length(value));
  });

  it("measures 100,000 levels of nesting without recursion", () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(measureJsonSize(deep)).toBe(200_002);
  });
});

describe("output-size", () => {
  const big = { output_type: "stream", name: "stdout", text: "x".repeat(1_200) };
  const small = { output_type: "stream", name: "stdout", text: "ok\n" };

  it("flags each output over limits.output_bytes with its size and a fix", () => {
    const nb = notebook([codeCell("print()", { outputs: [small, big] })]);
    const findings = runRule(outputSizeRule, nb, { limits: { output_bytes: 1_000 } });
    expect(findings).toMatchObject([{ rule: "output-size", severity: "warning", path: ["cells", 0, "outputs", 1] }]);
    expect(findings[0]?.message).toContain(`${(utf8Length(big) / 1000).toFixed(1)} kB, over the 1.0 kB limit`);
    expect(findings[0]?.message).toMatch(/Clear it/);
  });

  it("stays quiet under the default 1 MB", () => {
    expect(runRule(outputSizeRule, notebook([codeCell("print()", { outputs: [big] })]))).toEqual([]);
  });
});

describe("notebook-size", () => {
  it("flags a file over limits.notebook_bytes, at the document root", () => {
    const findings = runRule(notebookSizeRule, notebook([]), { byteLength: 12_345_678 });
    expect(findings).toMatchObject([{ rule: "notebook-size", severity: "warning", path: [] }]);
    expect(findings[0]?.message).toContain("12.3 MB, over the 10.0 MB limit");
    expect(runRule(notebookSizeRule, notebook([]), { byteLength: 10_000_000 })).toEqual([]);
  });
});

describe("large-image", () => {
  // 4 base64 characters decode to 3 bytes.
  const png = (bytes: number) => "iVBO".repeat(bytes / 3);

  it("flags an embedded image by decoded size, in outputs and attachments", () => {
    const output = { output_type: "display_data", metadata: {}, data: { "image/png": png(3_000), "text/plain": "<Figure>" } };
    const nb = notebook([
      codeCell("plot()", { outputs: [output] }),
      markdownCell("![x](attachment:x.png)", { attachments: { "x.png": { "image/jpeg": [png(1500), png(1500)] } } }),
    ]);
    const findings = runRule(largeImageRule, nb, { limits: { image_bytes: 2_000 } });
    expect(findings.map((f) => f.path)).toEqual([
      ["cells", 0, "outputs", 0, "data", "image/png"],
      ["cells", 1, "attachments", "x.png", "image/jpeg"],
    ]);
    expect(findings[0]?.message).toContain("image/png in an output is 3.0 kB, over the 2.0 kB limit");
    expect(findings[1]?.message).toContain("as a cell attachment");
  });

  it("counts line breaks and padding out of the decoded size", () => {
    const wrapped = `${"QUJD".repeat(500)}\n`.repeat(2) + "QQ==";
    const nb = notebook([codeCell("", { outputs: [{ output_type: "display_data", metadata: {}, data: { "image/gif": wrapped } }] })]);
    expect(runRule(largeImageRule, nb, { limits: { image_bytes: 3_000 } })[0]?.message).toContain("3.0 kB");
    expect(runRule(largeImageRule, nb, { limits: { image_bytes: 3_001 } })).toEqual([]);
  });

  it("reads v3 outputs, where the image sits under `png`", () => {
    const v3 = { nbformat: 3, worksheets: [{ cells: [{ cell_type: "code", input: "", outputs: [{ output_type: "pyout", png: png(3_000) }] }] }] };
    expect(runRule(largeImageRule, v3, { limits: { image_bytes: 2_000 } })).toMatchObject([
      { path: ["worksheets", 0, "cells", 0, "outputs", 0, "png"] },
    ]);
  });
});

describe("widget-state", () => {
  it("flags metadata.widgets over limits.widget_state_bytes", () => {
    const widgets = { "application/vnd.jupyter.widget-state+json": { state: { a: { model: "x".repeat(500) } } } };
    const nb = notebook([], { widgets });
    expect(runRule(widgetStateRule, nb, { limits: { widget_state_bytes: 400 } })).toMatchObject([
      { rule: "widget-state", path: ["metadata", "widgets"] },
    ]);
    expect(runRule(widgetStateRule, nb)).toEqual([]);
  });
});
