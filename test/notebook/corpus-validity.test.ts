import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readNotebook } from "../../src/notebook/read-notebook.js";
import { validateNotebook } from "../../src/notebook/validate-notebook.js";
import { askOracle } from "../support/python-oracle.js";
import { corpusDir } from "../support/repo-root.js";

interface Expected {
  valid: boolean;
  nbformat: string | null;
  reason: string;
}

function findNotebooks(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) findNotebooks(full, out);
    else if (name.endsWith(".ipynb")) out.push(full);
  }
  return out;
}

function verdictOf(file: string): { valid: boolean; nbformat: string | null } {
  const read = readNotebook(readFileSync(file));
  if (!read.ok) return { valid: false, nbformat: null };
  const v = validateNotebook(read.value, read.text);
  return { valid: v.valid, nbformat: v.nbformat };
}

describe("the shared corpus", () => {
  if (!existsSync(path.join(corpusDir, "expected.json"))) {
    it("is present", () => {
      throw new Error(`The notebook corpus is missing: expected ${corpusDir}/expected.json next to the checkout.`);
    });
    return;
  }
  const expected = JSON.parse(readFileSync(path.join(corpusDir, "expected.json"), "utf8")) as Record<string, Expected>;
  const files = findNotebooks(corpusDir);

  it("has a verdict in expected.json for every notebook, and a notebook for every verdict", () => {
    const relative = files.map((f) => path.relative(corpusDir, f)).sort();
    expect(relative).toEqual(Object.keys(expected).sort());
    expect(relative.length).toBeGreaterThan(300);
  });

  it("gets nbformat's verdict from expected.json on every notebook", () => {
    const disagreements: string[] = [];
    for (const file of files) {
      const rel = path.relative(corpusDir, file);
      const want = expected[rel] as Expected;
      const got = verdictOf(file);
      if (got.valid !== want.valid) disagreements.push(`${rel}: valid ${got.valid}, nbformat says ${want.valid} (${want.reason})`);
      // expected.json has no version for files nbformat cannot read; we still report theirs.
      if (want.nbformat !== null && got.nbformat !== want.nbformat) {
        disagreements.push(`${rel}: nbformat ${got.nbformat}, expected ${want.nbformat}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it("agrees with the live nbformat oracle on every notebook", () => {
    const verdicts = askOracle(files.map((f) => ({ path: f })));
    const disagreements: string[] = [];
    files.forEach((file, k) => {
      const oracle = verdicts[k];
      const got = verdictOf(file);
      if (oracle === undefined || got.valid !== oracle.valid) {
        disagreements.push(`${path.relative(corpusDir, file)}: valid ${got.valid}, oracle ${JSON.stringify(oracle)}`);
      }
    });
    expect(disagreements).toEqual([]);
    console.log(`corpus: ${files.length} notebooks agree with nbformat 5.5.0`);
  });

  it("reports a schema or version finding for every invalid notebook and none for valid ones", () => {
    for (const file of files) {
      const read = readNotebook(readFileSync(file));
      if (!read.ok) {
        expect(read.finding.rule).toBe("invalid-json");
        continue;
      }
      const v = validateNotebook(read.value, read.text);
      const blocking = v.findings.filter((f) => f.rule === "schema" || f.rule === "unsupported-version");
      expect(blocking.length > 0, path.relative(corpusDir, file)).toBe(!v.valid);
      for (const f of v.findings) expect(f.path, f.message).toBeDefined();
    }
  });
});
