import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { summarizeChanges } from "../../src/notebook/summarize-changes.js";

type CellSpec = { id?: string; type?: string; source: string; outputs?: unknown[]; count?: number | null; metadata?: object };

function nb(cells: CellSpec[], metadata: object = { kernelspec: { name: "python3" } }): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata,
    cells: cells.map((cell) => ({
      ...(cell.id ? { id: cell.id } : {}),
      cell_type: cell.type ?? "code",
      metadata: cell.metadata ?? {},
      source: cell.source.split(/(?<=\n)/u),
      ...((cell.type ?? "code") === "code" ? { outputs: cell.outputs ?? [], execution_count: cell.count ?? null } : {}),
    })),
  });
}

const out = (text: string) => [{ output_type: "stream", name: "stdout", text: [text] }];

describe("summarizeChanges", () => {
  it("reports a new notebook with its cell count", () => {
    expect(summarizeChanges(null, nb([{ source: "a" }, { source: "b" }]))).toEqual({ kind: "added", cellsAfter: 2 });
  });

  it("sees an output-only change when only outputs and execution counts moved", () => {
    const base = nb([{ source: "import x\n", count: 1, outputs: out("1") }, { source: "print(2)" }]);
    const head = nb([{ source: "import x\n", count: 7, outputs: out("2") }, { source: "print(2)" }]);
    expect(summarizeChanges(base, head)).toMatchObject({ kind: "modified", sourceEdited: 0, outputsOnly: 1, added: 0, removed: 0, matchedBy: "source" });
  });

  it("counts an edited cell as a source edit even when its outputs changed too", () => {
    const base = nb([{ source: "a = 1" }, { source: "b = 2", outputs: out("x") }, { source: "c = 3" }]);
    const head = nb([{ source: "a = 1" }, { source: "b = 20", outputs: out("y") }, { source: "c = 3" }]);
    expect(summarizeChanges(base, head)).toMatchObject({ sourceEdited: 1, outputsOnly: 0, added: 0, removed: 0 });
  });

  it("aligns on source so an inserted cell is one addition, not a cascade of edits", () => {
    const cells = ["a", "b", "c", "d", "e"].map((source) => ({ source }));
    const head = [...cells.slice(0, 2), { source: "new" }, ...cells.slice(2)];
    expect(summarizeChanges(nb(cells), nb(head))).toMatchObject({ added: 1, removed: 0, sourceEdited: 0, cellsBefore: 5, cellsAfter: 6 });
  });

  it("aligns a removed cell and an edit in the middle", () => {
    const base = nb(["a", "b", "c", "d", "e", "f"].map((source) => ({ source })));
    const head = nb(["a", "c", "D!", "e", "f"].map((source) => ({ source })));
    expect(summarizeChanges(base, head)).toMatchObject({ added: 0, removed: 1, sourceEdited: 1, outputsOnly: 0 });
  });

  it("matches by cell id when both versions have unique ids, so a move is not an edit", () => {
    const base = nb([
      { id: "a1", source: "x = 1" },
      { id: "b2", source: "y = 2", outputs: out("2") },
    ]);
    const head = nb([
      { id: "b2", source: "y = 2", outputs: out("3") },
      { id: "a1", source: "x = 1" },
      { id: "c3", source: "z" },
    ]);
    expect(summarizeChanges(base, head)).toMatchObject({ matchedBy: "id", added: 1, removed: 0, sourceEdited: 0, outputsOnly: 1 });
  });

  it("falls back to source alignment when ids repeat", () => {
    const base = nb([{ id: "same", source: "a" }, { id: "same", source: "b" }]);
    const head = nb([{ id: "same", source: "a" }, { id: "same", source: "b!" }]);
    expect(summarizeChanges(base, head)).toMatchObject({ matchedBy: "source", sourceEdited: 1 });
  });

  it("tells a cell type change, metadata-only changes and notebook metadata apart", () => {
    const base = nb([{ source: "# t", type: "markdown" }, { source: "x", metadata: { tags: [] } }], { a: 1 });
    const head = nb([{ source: "# t", type: "raw" }, { source: "x", metadata: { tags: ["p"] } }], { a: 2 });
    expect(summarizeChanges(base, head)).toMatchObject({ sourceEdited: 1, metadataOnly: 1, notebookMetadataChanged: true });
  });

  it("ignores key order inside outputs", () => {
    const base = JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [{ cell_type: "code", source: "x", metadata: {}, execution_count: 1, outputs: [{ output_type: "stream", name: "stdout", text: "1" }] }] });
    const head = JSON.stringify({ metadata: {}, nbformat_minor: 4, nbformat: 4, cells: [{ outputs: [{ text: "1", name: "stdout", output_type: "stream" }], execution_count: 1, metadata: {}, source: ["x"], cell_type: "code" }] });
    expect(summarizeChanges(base, head)).toMatchObject({ sourceEdited: 0, outputsOnly: 0, metadataOnly: 0, notebookMetadataChanged: false });
  });

  it("reads nbformat 3 worksheets, where code sits in input", () => {
    const v3 = (input: string, prompt: number) =>
      JSON.stringify({ nbformat: 3, nbformat_minor: 0, metadata: {}, worksheets: [{ cells: [{ cell_type: "code", input, outputs: [], prompt_number: prompt, metadata: {} }] }] });
    expect(summarizeChanges(v3("x", 1), v3("x", 2))).toMatchObject({ outputsOnly: 1, sourceEdited: 0 });
    expect(summarizeChanges(v3("x", 1), v3("y", 1))).toMatchObject({ sourceEdited: 1 });
  });

  it("says which side is unreadable instead of throwing", () => {
    expect(summarizeChanges("{not json", nb([]))).toEqual({ kind: "unreadable", reason: "base version: not valid JSON" });
    expect(summarizeChanges(nb([]), new TextEncoder().encode("[]"))).toEqual({ kind: "unreadable", reason: "head version: not a JSON object" });
    expect(summarizeChanges(null, "{}")).toEqual({ kind: "unreadable", reason: "head version: no cells" });
  });

  it("on real corpus notebooks: identical is unchanged, clearing outputs is output-only, a new cell is one addition", () => {
    const corpus = path.resolve(import.meta.dirname, "../../../shared/corpus");
    const expected = JSON.parse(readFileSync(path.join(corpus, "expected.json"), "utf8")) as Record<string, { valid: boolean; nbformat: string }>;
    const names = Object.keys(expected).filter((name) => expected[name]!.valid && expected[name]!.nbformat.startsWith("4")).slice(0, 25);
    expect(names.length).toBe(25);
    for (const name of names) {
      const text = readFileSync(path.join(corpus, name), "utf8");
      expect(summarizeChanges(text, text)).toMatchObject({ kind: "modified", added: 0, removed: 0, sourceEdited: 0, outputsOnly: 0, metadataOnly: 0 });

      const doc = JSON.parse(text) as { cells: Array<{ cell_type: string; outputs?: unknown[]; execution_count?: unknown }> };
      const withOutputs = doc.cells.filter((cell) => cell.cell_type === "code" && ((cell.outputs?.length ?? 0) > 0 || cell.execution_count != null)).length;
      for (const cell of doc.cells) if (cell.cell_type === "code") Object.assign(cell, { outputs: [], execution_count: null });
      doc.cells.splice(1, 0, { cell_type: "markdown", metadata: {}, source: ["inserted by the test"] } as never);
      expect(summarizeChanges(text, JSON.stringify(doc)), name).toMatchObject({ added: 1, removed: 0, sourceEdited: 0, outputsOnly: withOutputs });
    }
  });
});
