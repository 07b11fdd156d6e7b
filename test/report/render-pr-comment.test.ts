import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { textSize } from "../../src/report/github-limits.js";
import { describeChanges, renderPrComment, STICKY_MARKER } from "../../src/report/render-pr-comment.js";
import { checked } from "./report-fixtures.js";

const template = readFileSync(path.resolve(import.meta.dirname, "../../templates/pr-comment.md"), "utf8");
const head = "1111111111111111111111111111111111111111";
const base = "2222222222222222222222222222222222222222";
const commands = ["- **Check again:** push a commit."];

describe("renderPrComment", () => {
  it("starts with the hidden marker and has one row per notebook with SHA-pinned links", () => {
    const body = renderPrComment({
      owner: "octo",
      repo: "ml",
      headSha: head,
      baseSha: base,
      results: [
        checked("nb/train model.ipynb", [{ severity: "error" }, { severity: "warning" }], {
          changes: { kind: "modified", cellsBefore: 3, cellsAfter: 3, added: 0, removed: 0, sourceEdited: 0, outputsOnly: 2, metadataOnly: 0, notebookMetadataChanged: false, matchedBy: "id" },
        }),
      ],
      notes: [],
      commands,
      template,
    });
    expect(body.startsWith(`${STICKY_MARKER}\n`)).toBe(true);
    expect(body).toContain(
      `| [nb/train model\\.ipynb](https://github.com/octo/ml/blob/${head}/nb/train%20model.ipynb) | ❌ 1 error, 1 warning | ` +
        `[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/octo/ml/blob/${head}/nb/train%20model.ipynb) ` +
        `[nbviewer](https://nbviewer.org/github/octo/ml/blob/${head}/nb/train%20model.ipynb) | **outputs only**: 2 output-only |`,
    );
    expect(body).toContain(`Checked [\`1111111\`](https://github.com/octo/ml/commit/${head}) against [\`2222222\`](https://github.com/octo/ml/commit/${base})`);
    expect(body).toContain("- **Check again:** push a commit.");
    expect(body).toContain("Include private repos");
    expect(body).not.toMatch(/`\/train/u);
  });

  it("summarises the rows that do not fit in 65,536 bytes", () => {
    const results = Array.from({ length: 2000 }, (_, i) => checked(`notebooks/deep/folder/ünïcode name ${i} ${"y".repeat(60)}.ipynb`, i % 3 === 0 ? [{ severity: "error" }] : []));
    const body = renderPrComment({ owner: "o", repo: "r", headSha: head, baseSha: base, results, notes: [], commands, template });
    expect(textSize(body)).toBeLessThanOrEqual(65_536);
    const shown = body.split("\n").filter((line) => line.startsWith("| [")).length;
    expect(shown).toBeGreaterThan(10);
    expect(shown).toBeLessThan(2000);
    expect(body).toContain(`…and ${(2000 - shown).toLocaleString("en-US")} more notebooks not shown, since a comment holds at most 65,536 characters`);
    expect(body).toContain("Commands, and opening private notebooks in Colab");
  });
});

describe("describeChanges", () => {
  it("leads with what a reviewer must know", () => {
    expect(describeChanges({ kind: "added", cellsAfter: 4 })).toBe("new notebook, 4 cells");
    expect(
      describeChanges({ kind: "modified", cellsBefore: 3, cellsAfter: 4, added: 1, removed: 0, sourceEdited: 1, outputsOnly: 1, metadataOnly: 0, notebookMetadataChanged: true, matchedBy: "source" }),
    ).toBe("**source changed**: +1 −0 cells, 1 source edited, 1 output-only, notebook metadata");
    expect(describeChanges({ kind: "modified", cellsBefore: 1, cellsAfter: 1, added: 0, removed: 0, sourceEdited: 0, outputsOnly: 0, metadataOnly: 0, notebookMetadataChanged: false, matchedBy: "id" })).toBe(
      "no cell changes",
    );
    expect(describeChanges({ kind: "unreadable", reason: "base version: not valid JSON" })).toBe("not compared: base version: not valid JSON");
  });
});
