import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { driveColabUrl } from "../../src/links/drive-colab-url.js";
import type { ReviewCopy } from "../../src/report/notebook-result.js";
import { renderPrComment } from "../../src/report/render-pr-comment.js";
import { checked } from "./report-fixtures.js";

const template = readFileSync(path.resolve(import.meta.dirname, "../../templates/pr-comment.md"), "utf8");
const head = "1111111111111111111111111111111111111111";
const base = "2222222222222222222222222222222222222222";

function rowOf(reviewCopy: ReviewCopy | undefined): string {
  const body = renderPrComment({ owner: "o", repo: "r", headSha: head, baseSha: base, results: [checked("a.ipynb", [], reviewCopy ? { reviewCopy } : {})], notes: [], commands: [], template });
  return body.split("\n").find((line) => line.startsWith("| [a\\.ipynb]"))!;
}

describe("the review copy in the sticky comment", () => {
  it("links the copy in Colab next to the GitHub-pinned links, with the commit it holds", () => {
    const row = rowOf({ kind: "shared", fileId: "1xYz_AbC-123", sha: head });
    expect(row).toContain(`(https://colab.research.google.com/github/o/r/blob/${head}/a.ipynb) [nbviewer]`);
    expect(row).toContain("<br>[Open review copy in Colab](https://colab.research.google.com/drive/1xYz_AbC-123) (holds `1111111`)");
    // Still four cells: the table does not break.
    expect(row.split(" | ")).toHaveLength(4);
  });

  it("says why a copy was withheld, and links an older copy when an update failed", () => {
    expect(rowOf({ kind: "withheld", reason: "a secret | here" })).toContain("<br>🔒 no review copy: a secret \\| here");
    expect(rowOf({ kind: "failed", reason: "quota", previous: { fileId: "f1", sha: base } })).toContain("[Open review copy in Colab](https://colab.research.google.com/drive/f1) (holds `2222222`), not updated: see the note below");
    expect(rowOf({ kind: "failed", reason: "quota" })).toContain("<br>⚠️ no review copy: see the note below");
  });

  it("adds nothing when sharing is off", () => {
    expect(rowOf(undefined)).not.toContain("<br>");
  });

  it("encodes a file id so it cannot leave the URL", () => {
    expect(driveColabUrl("a)b c")).toBe("https://colab.research.google.com/drive/a%29b%20c");
  });
});
