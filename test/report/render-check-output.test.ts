import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildAnnotations } from "../../src/report/build-annotations.js";
import { textSize } from "../../src/report/github-limits.js";
import { renderCheckOutput } from "../../src/report/render-check-output.js";
import { checked } from "./report-fixtures.js";

const template = readFileSync(path.resolve(import.meta.dirname, "../../templates/check-summary.md"), "utf8");
const noAnnotations = { total: 0, sent: 0, cap: 1000 };

describe("renderCheckOutput", () => {
  it("fails exactly when some finding is an error, and tables every notebook", () => {
    const output = renderCheckOutput({
      results: [
        checked("ok.ipynb"),
        checked("warn.ipynb", [{ severity: "warning", rule: "execution-order", line: 3 }]),
        { path: "gone.ipynb", status: "skipped", reason: "not-found", detail: "not found at abc1234" },
      ],
      notes: [],
      annotations: noAnnotations,
      template,
    });
    expect(output.conclusion).toBe("success");
    expect(output.title).toBe("No errors, 1 warning");
    expect(output.summary).toContain("| warn\\.ipynb | ⚠️ warnings | 0 | 1 | 0 | nbformat 4\\.5 |");
    expect(output.summary).toContain("| gone\\.ipynb | ⏭️ skipped | – | – | – | not found at abc1234 |");
    expect(output.summary).toContain("| ok\\.ipynb | ✅ ok | 0 | 0 | 0 | nbformat 4\\.5 |");
    expect(output.text).toContain("- **warning** `execution-order` (line 3): warning message");

    const failing = renderCheckOutput({ results: [checked("bad.ipynb", [{ severity: "error", rule: "invalid-json", line: 1, column: 5, cell: 0 }])], notes: [], annotations: noAnnotations, template });
    expect(failing.conclusion).toBe("failure");
    expect(failing.title).toBe("1 error in 1 notebook");
    expect(failing.text).toContain("`invalid-json` (line 1:5, cell 1)");
  });

  it("keeps summary and text within 65,535 bytes and says what it cut", () => {
    const results = Array.from({ length: 3000 }, (_, i) =>
      checked(`notebooks/very/long/directory/name/number-${i}-${"x".repeat(40)}.ipynb`, [
        { severity: "error", line: i + 1, message: "é".repeat(500) },
        { severity: "warning", line: 2 },
      ]),
    );
    const output = renderCheckOutput({ results, notes: ["GitHub lists at most 3,000 changed files."], annotations: { total: 6000, sent: 1000, cap: 1000 }, template });
    expect(textSize(output.summary)).toBeLessThanOrEqual(65_535);
    expect(textSize(output.text)).toBeLessThanOrEqual(65_535);
    expect(output.summary).toMatch(/…and [\d,]+ more notebooks not listed here \(GitHub limits this summary to 65,535 characters\)/u);
    expect(output.summary).toContain("Annotations are capped at 1,000 per check run: 1,000 of 6,000 are shown");
    expect(output.summary).toContain("GitHub lists at most 3,000 changed files");
    expect(output.text).toMatch(/…truncated: [\d,]+ more findings not shown/u);
  });

  it("does not let Markdown in a path or message break the table", () => {
    const output = renderCheckOutput({ results: [checked("a|b<script>.ipynb", [{ severity: "info", message: "x | y\nz" }])], notes: [], annotations: noAnnotations, template });
    expect(output.summary).toContain("a\\|b\\<script\\>\\.ipynb");
    expect(output.text).toContain("x \\| y z");
  });
});

describe("buildAnnotations", () => {
  it("puts errors first, maps severities to levels and keeps the finding's line and column", () => {
    const { annotations, total } = buildAnnotations(
      [
        checked("a.ipynb", [{ severity: "info", rule: "missing-kernelspec" }, { severity: "warning", line: 9, rule: "execution-order" }]),
        checked("b.ipynb", [{ severity: "error", line: 12, column: 4, cell: 2, rule: "secret", message: "AWS key in cell 3" }]),
      ],
      2,
    );
    expect(total).toBe(3);
    expect(annotations).toEqual([
      { path: "b.ipynb", start_line: 12, end_line: 12, start_column: 4, end_column: 4, annotation_level: "failure", title: "secret (cell 3)", message: "AWS key in cell 3" },
      { path: "a.ipynb", start_line: 9, end_line: 9, annotation_level: "warning", title: "execution-order", message: "warning message" },
    ]);
  });

  it("places findings without a line on line 1", () => {
    const { annotations } = buildAnnotations([checked("a.ipynb", [{ severity: "info", rule: "missing-kernelspec" }])], 10);
    expect(annotations[0]).toMatchObject({ start_line: 1, end_line: 1, annotation_level: "notice" });
  });
});
