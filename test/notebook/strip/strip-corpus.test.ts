import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripNotebook } from "../../../src/notebook/strip/strip-notebook.js";
import { repoRoot } from "../../support/repo-root.js";
import { ORACLE_PYTHON } from "../../support/python-oracle.js";

const corpusRoot = path.resolve(repoRoot, "../shared/corpus");

// For every notebook: nbformat's own round trip (reads NO_CONVERT, writes, plus the newline that
// nbformat.write adds), and what `jupyter nbconvert --to notebook --ClearOutputPreprocessor.enabled=True`
// prints: the same exporter, configured the way the command line configures it, in one process.
const ORACLE = String.raw`
import json, logging, os, sys, warnings
import nbformat
from traitlets.config import Config
from nbconvert.exporters import NotebookExporter
logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")
assert nbformat.__version__ == "5.5.0", nbformat.__version__
paths, out = json.load(open(sys.argv[1])), sys.argv[2]
exporter = NotebookExporter(config=Config({"ClearOutputPreprocessor": {"enabled": True}}))
for i, p in enumerate(paths):
    for kind, make in (
        ("roundtrip", lambda: nbformat.writes(nbformat.reads(open(p, encoding="utf-8").read(), as_version=nbformat.NO_CONVERT)) + "\n"),
        ("cleared", lambda: exporter.from_filename(p)[0]),
    ):
        try:
            text = make()
        except BaseException as e:
            text = None
        if text is not None:
            with open(os.path.join(out, "%d.%s" % (i, kind)), "w", encoding="utf-8", newline="") as f:
                f.write(text)
`;

function findIpynb(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ipynb"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

function cellIdsNeedRepair(bytes: Uint8Array): boolean {
  const nb = JSON.parse(Buffer.from(bytes).toString("utf8")) as { cells: Array<{ id?: string }> };
  const ids = nb.cells.map((cell) => cell.id);
  return ids.includes(undefined) || new Set(ids).size !== ids.length;
}

let scratch: string;
let files: string[];

function oracle(i: number, kind: "roundtrip" | "cleared"): string | null {
  try {
    return readFileSync(path.join(scratch, `${i}.${kind}`), "utf8");
  } catch {
    return null;
  }
}

beforeAll(() => {
  files = findIpynb(corpusRoot);
  if (files.length < 300) throw new Error(`the corpus at ${corpusRoot} has ${files.length} notebooks; expected 375`);
  scratch = mkdtempSync(path.join(os.tmpdir(), "nbtrain-strip-"));
  writeFileSync(path.join(scratch, "list.json"), JSON.stringify(files));
  const run = spawnSync(ORACLE_PYTHON, ["-c", ORACLE, path.join(scratch, "list.json"), scratch], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`the nbformat/nbconvert oracle failed (apt-get install python3-nbformat python3-nbconvert):\n${run.stderr}`);
}, 600_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("nbtrain strip against nbformat and nbconvert on the corpus", () => {
  it("keeping everything, writes byte for byte what nbformat.writes writes", () => {
    let compared = 0;
    const mismatched: string[] = [];
    files.forEach((file, i) => {
      const result = stripNotebook(readFileSync(file), { keepOutput: true, keepCount: true, dropMetadata: [] });
      if (!result.ok) return;
      compared++;
      if (result.text !== oracle(i, "roundtrip")) mismatched.push(path.relative(corpusRoot, file));
    });
    expect(mismatched).toEqual([]);
    // Every valid nbformat-4 notebook of the corpus gets compared, so the test cannot pass vacuously.
    expect(compared).toBeGreaterThanOrEqual(360);
  });

  it("with nbconvert's settings, writes what nbconvert's ClearOutputPreprocessor writes", () => {
    let compared = 0;
    const mismatched: string[] = [];
    const refusedByNbconvert: string[] = [];
    const newerMinor: string[] = [];
    files.forEach((file, i) => {
      const bytes = readFileSync(file);
      const result = stripNotebook(bytes, { dropMetadata: ["cell.metadata.collapsed", "cell.metadata.scrolled"] });
      if (!result.ok) return;
      const nb = JSON.parse(bytes.toString("utf8")) as { nbformat_minor: number; cells: Array<{ cell_type: string; metadata?: Record<string, unknown> }> };
      if (nb.nbformat_minor > 5) newerMinor.push(file);
      const expected = oracle(i, "cleared");
      // Documented difference: nbconvert validates against the newest schema it knows and refuses a
      // newer minor (4.99); nbtrain writes what nbformat.writes writes for it (the test above).
      if (expected === null) return void refusedByNbconvert.push(file);
      // Documented difference: nbconvert drops those two keys from code cells only, nbtrain from every cell.
      if (nb.cells.some((cell) => cell.cell_type !== "code" && cell.metadata && ("collapsed" in cell.metadata || "scrolled" in cell.metadata))) return;
      compared++;
      if (result.text !== expected) mismatched.push(path.relative(corpusRoot, file));
    });
    expect(mismatched).toEqual([]);
    expect(refusedByNbconvert).toEqual(newerMinor);
    expect(compared).toBeGreaterThanOrEqual(360);
  });

  it("refuses exactly the notebooks that are invalid or not nbformat 4, and says why", () => {
    const expected = JSON.parse(readFileSync(path.join(corpusRoot, "expected.json"), "utf8")) as Record<string, { valid: boolean; nbformat: string | null }>;
    for (const file of files) {
      const verdict = expected[path.relative(corpusRoot, file)];
      if (!verdict) continue;
      const bytes = readFileSync(file);
      const result = stripNotebook(bytes);
      // nbformat 5.5 calls these valid but writes random ids for missing or repeated ones, so no
      // output could match it; nbtrain leaves them alone.
      const idsNbformatWouldInvent = verdict.valid && String(verdict.nbformat) >= "4.5" && cellIdsNeedRepair(bytes);
      const shouldRefuse = !verdict.valid || !String(verdict.nbformat).startsWith("4") || idsNbformatWouldInvent;
      expect(result.ok, `${file}: ${result.ok ? "stripped" : result.message}`).toBe(!shouldRefuse);
      if (!result.ok) expect(result.message).toMatch(/not a valid notebook|only nbformat 4|has no id|repeats the id/);
    }
  });
});
