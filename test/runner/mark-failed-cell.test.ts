import { describe, expect, it } from "vitest";
import { ERROR_MARKER_TAG, markFailedCell } from "../../src/runner/mark-failed-cell.js";

const nb = (minor: number) => ({
  nbformat: 4,
  nbformat_minor: minor,
  metadata: {},
  cells: [
    { cell_type: "code", id: "a", metadata: {}, source: "1", outputs: [], execution_count: 1 },
    { cell_type: "code", id: "b", metadata: {}, source: "raise", outputs: [], execution_count: 2 },
  ],
});

describe("markFailedCell", () => {
  it("adds papermill's red banner at the top, linking to an anchor cell right before the failing cell", () => {
    const out = markFailedCell(nb(5), 1);
    expect(out.cells.map((cell) => cell.id)).toEqual(["nbtrain-error-banner", "a", "nbtrain-error-cell", "b"]);
    expect(out.cells[0]).toMatchObject({ cell_type: "markdown", metadata: { tags: [ERROR_MARKER_TAG] } });
    expect(out.cells[0]!.source).toContain("An Exception was encountered at '<a href=\"#nbtrain-error-cell\">In [2]</a>'");
    expect(out.cells[2]!.source).toContain('<span id="nbtrain-error-cell"');
  });

  it("adds no cell ids before nbformat 4.5", () => {
    const out = markFailedCell(nb(4), 0);
    expect(out.cells[0]).not.toHaveProperty("id");
    expect(out.cells[1]).not.toHaveProperty("id");
  });
});
