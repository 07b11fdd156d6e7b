import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readNotebook } from "../../src/notebook/read-notebook.js";
import { validateNotebook } from "../../src/notebook/validate-notebook.js";
import { mutateNotebook, type Mutant } from "../support/mutate-notebook.js";
import { askOracle, type OracleVerdict } from "../support/python-oracle.js";
import { corpusDir, repoRoot } from "../support/repo-root.js";

const fixtureDir = path.join(repoRoot, "test/fixtures/validity");
/** Valid notebooks of several versions to break: our fixtures and a few real ones from the corpus. */
const BASE_FIXTURES = ["v4.0", "v4.1", "v4.2", "v4.3", "v4.4", "v4.5", "v4.99", "v3.0"];
const CORPUS_BASES = [
  "nbformat/tests/test3.ipynb",
  "nbformat/tests/test4.5.ipynb",
  "nbformat/tests/test4plus.ipynb",
  "nbformat/tests/test4jupyter_metadata_timings.ipynb",
  "nbformat/tests/many_tracebacks.ipynb",
  "nbdime/nbdime/webapp/testnotebooks/remote.ipynb",
];

function ours(bytes: Uint8Array): boolean {
  const read = readNotebook(bytes);
  return read.ok ? validateNotebook(read.value, read.text).valid : false;
}

function cases(): Mutant[] {
  if (!existsSync(corpusDir)) throw new Error(`The notebook corpus is missing at ${corpusDir}.`);
  const all: Mutant[] = [];
  for (const name of readdirSync(fixtureDir).filter((n) => n.endsWith(".ipynb")).sort()) {
    all.push({ name: `fixture ${name}`, bytes: readFileSync(path.join(fixtureDir, name)) });
  }
  for (const name of BASE_FIXTURES) {
    all.push(...mutateNotebook(name, readFileSync(path.join(fixtureDir, `${name}.ipynb`), "utf8")));
  }
  for (const rel of CORPUS_BASES) {
    const file = path.join(corpusDir, rel);
    if (!existsSync(file)) throw new Error(`Corpus notebook ${rel} is missing.`);
    all.push(...mutateNotebook(rel, readFileSync(file, "utf8")));
  }
  return all;
}

describe("validateNotebook against nbformat 5.5.0", () => {
  const all = cases();
  let verdicts: OracleVerdict[] = [];

  // One Python process judges every case; thousands of small notebooks take a while on two cores.
  beforeAll(() => {
    verdicts = askOracle(all.map((m) => ({ bytes: m.bytes })));
  }, 600_000);

  it("agrees on every mutated notebook", () => {
    const disagreements: string[] = [];
    let invalid = 0;
    all.forEach((m, k) => {
      const oracle = verdicts[k]!;
      if (!oracle.valid) invalid++;
      const got = ours(m.bytes);
      if (got !== oracle.valid) disagreements.push(`${m.name}: ours ${got}, nbformat ${oracle.valid} (${oracle.reason})`);
    });
    console.log(`differential: ${all.length} cases (${invalid} invalid per nbformat), ${disagreements.length} disagreements`);
    expect(disagreements.slice(0, 50)).toEqual([]);
    // The generator must really exercise both verdicts.
    expect(all.length).toBeGreaterThan(1000);
    expect(invalid).toBeGreaterThan(all.length / 4);
    expect(all.length - invalid).toBeGreaterThan(all.length / 10);
  });

  it("covers every kind of mutation the issue asks for", () => {
    const names = all.map((m) => m.name).join("\n");
    const kinds = [
      ": remove ", " = null", '.id = ""', '.id = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"', "duplicates",
      'output_type = "foo"', 'data["text/plain"] = 5', "add an unknown key", "nbformat_minor = 99", "nbformat = 2",
      "NaN execution_count", "a UTF-8 BOM", "execution_count written as N.0", "nested 497 deep",
    ];
    for (const kind of kinds) expect(names.includes(kind), kind).toBe(true);
  });
});
