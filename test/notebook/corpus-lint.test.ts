import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { checkNotebook } from "../../src/notebook/check-notebook.js";
import type { Finding, NotebookReport } from "../../src/notebook/finding.js";
import { LINT_RULES } from "../../src/notebook/lint/lint-notebook.js";
import { tokenBody } from "./lint/notebook-builder.js";

// CI keeps the corpus next to the repository; a missing corpus must fail, not skip.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const corpus = path.resolve(repoRoot, "../shared/corpus");

function notebooksUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return notebooksUnder(full);
      return name.endsWith(".ipynb") ? [full] : [];
    });
}

interface Checked {
  report: NotebookReport;
  text: string;
}

const checked = new Map<string, Checked>();
const lintIds = new Set<string>(LINT_RULES.map((r) => r.id));

function findings(file: string, rule: string): Finding[] {
  const entry = checked.get(file);
  if (!entry) throw new Error(`${file} is not in the corpus at ${corpus}`);
  return entry.report.findings.filter((f) => f.rule === rule);
}

function rawLine(file: string, finding: Finding): string {
  return (checked.get(file)?.text.split("\n")[(finding.line ?? 0) - 1] ?? "").trim();
}

describe("lint over the real-notebook corpus", () => {
  const counts: Record<string, number> = {};
  const files: Record<string, number> = {};

  beforeAll(() => {
    for (const file of notebooksUnder(corpus)) {
      const raw = readFileSync(file);
      const report = checkNotebook(path.relative(corpus, file), raw);
      checked.set(path.relative(corpus, file), { report, text: raw.toString("utf8") });
      const seen = new Set<string>();
      for (const f of report.findings) {
        counts[f.rule] = (counts[f.rule] ?? 0) + 1;
        if (!seen.has(f.rule)) files[f.rule] = (files[f.rule] ?? 0) + 1;
        seen.add(f.rule);
      }
    }
    const table = [...lintIds].map((id) => `  ${id.padEnd(20)} ${String(counts[id] ?? 0).padStart(4)} findings in ${String(files[id] ?? 0).padStart(3)} notebooks`);
    console.log(`lint findings over ${checked.size} corpus notebooks:\n${table.join("\n")}`);
  });

  it("reads the whole corpus", () => {
    expect(checked.size).toBe(375);
  });

  it("keeps every rule's noise where it was measured", () => {
    // Measured on this corpus; a change outside these bounds is a change in what a rule flags.
    const bounds: Record<string, [number, number]> = {
      secret: [0, 0],
      "output-size": [0, 0],
      "notebook-size": [0, 0],
      "large-image": [2, 3],
      "widget-state": [0, 0],
      "error-output": [11, 13],
      "execution-order": [13, 15],
      "missing-kernelspec": [9, 10],
      "unpinned-install": [95, 105],
      "colab-drive-path": [0, 0],
    };
    for (const id of lintIds) {
      const count = counts[id] ?? 0;
      const [low, high] = bounds[id] ?? [0, 0];
      expect({ id, count, inBounds: count >= low && count <= high }).toEqual({ id, count, inBounds: true });
    }
  });

  it("lets most real tutorials pass without a warning", () => {
    const tutorials = [...checked.entries()].filter(([file]) => /^(tensorflow-docs|handson-ml3|colabtools)\//.test(file));
    const warned = tutorials.filter(([, { report }]) =>
      report.findings.some((f) => lintIds.has(f.rule) && f.severity !== "info"),
    );
    expect(tutorials.length).toBe(229);
    expect(warned.length / tutorials.length).toBeLessThan(0.35);
  });

  it("flags known true positives", () => {
    const images = findings("handson-ml3/14_deep_computer_vision_with_cnns.ipynb", "large-image");
    expect(images.map((f) => f.cell)).toEqual([77, 80]);
    expect(findings("colabtools/notebooks/How_to_Use_Slideshow_Mode.ipynb", "error-output")).toMatchObject([{ cell: 9 }]);
    expect(findings("colabtools/notebooks/How_to_Use_Slideshow_Mode.ipynb", "error-output")[0]?.message).toContain("IndexError");
    const installs = findings("tensorflow-docs/site/en/tutorials/images/segmentation.ipynb", "unpinned-install");
    expect(installs.map((f) => f.message.split(" without")[0])).toEqual([
      "pip installs `https://github.com/tensorflow/examples`",
      "pip installs `keras`",
      "pip installs `tensorflow_datasets`",
      "pip installs `tensorflow-text`, `tensorflow`",
    ]);
    expect(findings("papermill/papermill/tests/notebooks/blank-vscode.ipynb", "missing-kernelspec")).toHaveLength(1);
  });

  it("stays quiet on known negatives", () => {
    // Mounts Drive before using /content/drive.
    expect(findings("tensorflow-docs/site/en/hub/tutorials/spice.ipynb", "colab-drive-path")).toEqual([]);
    // Megabytes of base64 plots: none of it may look like a credential.
    for (const [file] of [...checked].filter(([f]) => f.startsWith("handson-ml3/"))) expect(findings(file, "secret")).toEqual([]);
    // Colab tutorials carry a kernelspec and run top to bottom.
    expect(findings("tensorflow-docs/site/en/tutorials/keras/classification.ipynb", "missing-kernelspec")).toEqual([]);
    expect(findings("tensorflow-docs/site/en/tutorials/keras/classification.ipynb", "execution-order")).toEqual([]);
  });

  it("points every finding at a raw line that shows the problem", () => {
    let located = 0;
    for (const [file, { report }] of checked) {
      for (const f of report.findings) {
        if (!lintIds.has(f.rule) || f.rule === "notebook-size") continue;
        expect({ file, rule: f.rule, line: typeof f.line, column: typeof f.column }).toEqual({ file, rule: f.rule, line: "number", column: "number" });
        const line = rawLine(file, f);
        const expected: Record<string, RegExp> = {
          "unpinned-install": /pip3? install/,
          "large-image": /^"image\/(png|jpeg|gif)": /,
          "error-output": /^\{$/,
          "execution-order": /^"(execution_count|prompt_number)": \d+,?$/,
          "missing-kernelspec": /^"metadata": \{/,
        };
        const pattern = expected[f.rule];
        if (!pattern) throw new Error(`no position check for ${f.rule}`);
        expect({ file, rule: f.rule, line }).toEqual({ file, rule: f.rule, line: expect.stringMatching(pattern) });
        located++;
      }
    }
    expect(located).toBeGreaterThan(100);
  });

  it("finds a credential planted in a real notebook, on its raw line, in a source and in an output", () => {
    const file = "handson-ml3/02_end_to_end_machine_learning_project.ipynb";
    const nb = JSON.parse(checked.get(file)?.text ?? "null") as { cells: Array<Record<string, unknown>> };
    const token = "hf" + "_" + tokenBody(34, undefined, 73);
    const code = nb.cells.findIndex((c) => c.cell_type === "code" && Array.isArray(c.outputs) && c.outputs.length > 0);
    (nb.cells[code]?.source as string[]).splice(0, 0, `HF_TOKEN = "${token}"\n`);
    (nb.cells[code]?.outputs as unknown[]).push({ output_type: "stream", name: "stdout", text: ["login ok\n", `token: ${token}\n`] });
    const text = JSON.stringify(nb, null, 1) + "\n";
    const report = checkNotebook(file, new TextEncoder().encode(text));
    const secrets = report.findings.filter((f) => f.rule === "secret");
    expect(secrets.map((f) => f.cell)).toEqual([code, code]);
    const lines = text.split("\n");
    const inSource = secrets.find((f) => f.path?.includes("source"));
    const inOutput = secrets.find((f) => f.path?.includes("outputs"));
    expect(lines[(inSource?.line ?? 0) - 1]).toContain(`HF_TOKEN = \\"${token}\\"`);
    expect(lines[(inOutput?.line ?? 0) - 1]).toContain(`token: ${token}`);
    expect(JSON.stringify(secrets)).not.toContain(token.slice(3));
  });
});
