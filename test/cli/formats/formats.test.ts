import { describe, expect, it } from "vitest";
import { formatJson } from "../../../src/cli/formats/format-json.js";
import { formatSarif } from "../../../src/cli/formats/format-sarif.js";
import { formatText } from "../../../src/cli/formats/format-text.js";
import { RULE_HELP } from "../../../src/cli/formats/rule-help.js";
import { summarizeReports } from "../../../src/cli/formats/summarize-reports.js";
import { RULE_IDS, type NotebookReport } from "../../../src/notebook/finding.js";

const reports: NotebookReport[] = [
  {
    path: "notebooks/train model.ipynb",
    valid: false,
    nbformat: "4.5",
    findings: [
      { rule: "schema", severity: "error", message: 'cells[3] is missing "source"', path: ["cells", 3], cell: 3, line: 120, column: 5 },
      { rule: "secret", severity: "error", message: "AWS access key id in a cell source\nrevoke it", path: ["cells", 1, "source"], lineInValue: 2, cell: 1, line: 40, column: 12 },
      { rule: "execution-order", severity: "warning", message: "cells ran out of order", cell: 4 },
      { rule: "missing-kernelspec", severity: "info", message: "no kernelspec" },
    ],
  },
  { path: "clean.ipynb", valid: true, nbformat: "4.4", findings: [] },
  { path: "broken.ipynb", valid: false, nbformat: null, findings: [{ rule: "invalid-json", severity: "error", message: "not JSON", line: 1, column: 1 }] },
];

describe("summarizeReports", () => {
  it("counts files, errors and warnings, not infos", () => {
    expect(summarizeReports(reports)).toEqual({ files: 3, errors: 3, warnings: 1 });
    expect(summarizeReports([])).toEqual({ files: 0, errors: 0, warnings: 0 });
  });
});

describe("formatJson", () => {
  it("prints exactly the documented shape, dropping the engine's internal fields", () => {
    const text = formatJson(reports);
    expect(text.endsWith("\n")).toBe(true);
    expect(text.trimEnd().includes("\n")).toBe(false);
    expect(JSON.parse(text)).toEqual({
      notebooks: [
        {
          path: "notebooks/train model.ipynb",
          valid: false,
          nbformat: "4.5",
          findings: [
            { rule: "schema", severity: "error", message: 'cells[3] is missing "source"', cell: 3, line: 120, column: 5 },
            { rule: "secret", severity: "error", message: "AWS access key id in a cell source\nrevoke it", cell: 1, line: 40, column: 12 },
            { rule: "execution-order", severity: "warning", message: "cells ran out of order", cell: 4 },
            { rule: "missing-kernelspec", severity: "info", message: "no kernelspec" },
          ],
        },
        { path: "clean.ipynb", valid: true, nbformat: "4.4", findings: [] },
        { path: "broken.ipynb", valid: false, nbformat: null, findings: [{ rule: "invalid-json", severity: "error", message: "not JSON", line: 1, column: 1 }] },
      ],
      summary: { files: 3, errors: 3, warnings: 1 },
    });
  });

  it("keeps the key order of the documented example", () => {
    const [notebook] = (JSON.parse(formatJson(reports)) as { notebooks: Array<Record<string, unknown>> }).notebooks;
    expect(Object.keys(notebook!)).toEqual(["path", "valid", "nbformat", "findings"]);
    expect(Object.keys((notebook!["findings"] as object[])[0]!)).toEqual(["rule", "severity", "message", "cell", "line", "column"]);
  });

  it("stays parseable with lone surrogates and control characters in a message", () => {
    const odd: NotebookReport = { path: "\u0000\ud800.ipynb", valid: false, nbformat: null, findings: [{ rule: "schema", severity: "error", message: "\ud800\u0007\u2028" }] };
    expect(() => JSON.parse(formatJson([odd]))).not.toThrow();
  });
});

describe("formatText", () => {
  it("lists each notebook with problems, ESLint style, then the totals", () => {
    expect(formatText(reports, { color: false })).toBe(
      [
        "notebooks/train model.ipynb",
        "   120:5  error    cells[3] is missing \"source\"                  schema",
        "   40:12  error    AWS access key id in a cell source revoke it  secret",
        "  cell 4  warning  cells ran out of order                        execution-order",
        "       -  info     no kernelspec                                 missing-kernelspec",
        "",
        "broken.ipynb",
        "  1:1  error    not JSON  invalid-json",
        "",
        "✖ 5 problems (3 errors, 1 warning, 1 info) in 3 notebooks checked",
        "",
      ].join("\n"),
    );
  });

  it("says so when there is nothing to report", () => {
    expect(formatText([reports[1]!], { color: false })).toBe("✔ 1 notebook checked, no problems\n");
    expect(formatText([], { color: false })).toBe("✔ 0 notebooks checked, no problems\n");
  });

  it("colours severities only when asked", () => {
    expect(formatText(reports, { color: true })).toContain("\u001b[31merror  \u001b[39m");
    expect(formatText(reports, { color: false })).not.toContain("\u001b[");
  });

  it("strips terminal escape sequences that a hostile notebook could put in a message", () => {
    const hostile: NotebookReport = { path: "x.ipynb", valid: false, nbformat: null, findings: [{ rule: "schema", severity: "error", message: "bad\u001b]0;pwned\u0007key" }] };
    expect(formatText([hostile], { color: false })).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it("handles a notebook with more findings than a function call takes arguments", () => {
    const many: NotebookReport = {
      path: "many.ipynb",
      valid: false,
      nbformat: "4.5",
      findings: Array.from({ length: 200_000 }, (_, i) => ({ rule: "schema" as const, severity: "error" as const, message: `problem ${i}`, line: i + 1, column: 1 })),
    };
    expect(formatText([many], { color: false })).toContain("✖ 200000 problems (200000 errors, 0 warnings)");
  });
});

describe("formatSarif", () => {
  const sarif = JSON.parse(formatSarif(reports, { cwd: "/repo", toolVersion: "1.2.3" })) as {
    version: string;
    $schema: string;
    runs: Array<{ tool: { driver: { name: string; version: string; rules: Array<{ id: string; help: { text: string }; shortDescription: { text: string } }> } }; results: Array<Record<string, unknown>> }>;
  };
  const [run] = sarif.runs;

  it("is a SARIF 2.1.0 log with one run by nbtrain", () => {
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.$schema).toBe("https://json.schemastore.org/sarif-2.1.0.json");
    expect(sarif.runs).toHaveLength(1);
    expect(run!.tool.driver.name).toBe("nbtrain");
    expect(run!.tool.driver.version).toBe("1.2.3");
  });

  it("describes every rule, with help text, in a stable order", () => {
    expect(run!.tool.driver.rules.map((rule) => rule.id)).toEqual([...RULE_IDS]);
    for (const rule of run!.tool.driver.rules) {
      expect(rule.help.text.length).toBeGreaterThan(20);
      expect(rule.shortDescription.text).toBe(RULE_HELP[rule.id as keyof typeof RULE_HELP].summary);
    }
  });

  it("gives each finding a result with rule, level and a region GitHub can place", () => {
    expect(run!.results).toHaveLength(5);
    expect(run!.results[0]).toEqual({
      ruleId: "schema",
      ruleIndex: RULE_IDS.indexOf("schema"),
      level: "error",
      message: { text: 'cells[3] is missing "source" (cell 3)' },
      locations: [
        { physicalLocation: { artifactLocation: { uri: "notebooks/train%20model.ipynb", uriBaseId: "%SRCROOT%" }, region: { startLine: 120, startColumn: 5 } } },
      ],
    });
    const levels = run!.results.map((result) => result["level"]);
    expect(levels).toEqual(["error", "error", "warning", "note", "error"]);
  });

  it("points findings without a position at line 1, since GitHub requires a startLine", () => {
    const info = run!.results[3] as { locations: Array<{ physicalLocation: { region: unknown } }> };
    expect(info.locations[0]!.physicalLocation.region).toEqual({ startLine: 1 });
  });

  it("makes URIs relative to the repository root, also for absolute paths", () => {
    const absolute = JSON.parse(formatSarif([{ ...reports[2]!, path: "/repo/sub/a b#.ipynb" }], { cwd: "/repo", toolVersion: "1" })) as typeof sarif;
    const result = absolute.runs[0]!.results[0] as { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> };
    expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe("sub/a%20b%23.ipynb");
  });
});
