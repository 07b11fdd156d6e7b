import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatJson } from "../../src/cli/formats/format-json.js";
import { formatSarif } from "../../src/cli/formats/format-sarif.js";
import { formatText } from "../../src/cli/formats/format-text.js";
import { checkNotebook } from "../../src/notebook/check-notebook.js";
import { RULE_IDS, type NotebookReport } from "../../src/notebook/finding.js";
import { codeCell, notebook } from "./sample-notebooks.js";

const encoder = new TextEncoder();

/** Checks one input and proves the whole pipeline holds: no throw, a well-formed report, parseable output. */
function checkAndRender(bytes: Uint8Array): NotebookReport {
  const report = checkNotebook("prop.ipynb", bytes);
  expect(typeof report.valid).toBe("boolean");
  expect(report.nbformat === null || typeof report.nbformat === "string").toBe(true);
  for (const finding of report.findings) {
    expect(RULE_IDS).toContain(finding.rule);
    expect(["error", "warning", "info"]).toContain(finding.severity);
    expect(finding.message.length).toBeGreaterThan(0);
  }
  const parsed = JSON.parse(formatJson([report])) as { notebooks: unknown[]; summary: { files: number } };
  expect(parsed.summary.files).toBe(1);
  expect(parsed.notebooks).toHaveLength(1);
  JSON.parse(formatSarif([report], { cwd: "/repo", toolVersion: "0.0.0" }));
  expect(formatText([report], { color: false })).toMatch(/notebooks? checked/);
  return report;
}

/** A realistic valid v4.5 notebook to start mutations from. */
function baseNotebook(): Record<string, unknown> {
  const nb = notebook([
    { cell_type: "markdown", id: "md-1", metadata: {}, source: ["# Title\n", "Some text."] },
    codeCell("code-1", ["import numpy as np\n", "np.arange(3)"], 1),
    { cell_type: "raw", id: "raw-1", metadata: {}, source: "raw text" },
  ]);
  (nb["cells"] as Array<Record<string, unknown>>)[1]!["outputs"] = [
    { output_type: "execute_result", execution_count: 1, data: { "text/plain": ["array([0, 1, 2])"] }, metadata: {} },
    { output_type: "stream", name: "stdout", text: ["hello\n"] },
    { output_type: "error", ename: "ValueError", evalue: "bad", traceback: ["Traceback ...", "ValueError: bad"] },
  ];
  return nb;
}

type Path = Array<string | number>;

/** Every path into a JSON value, so a mutation can land anywhere in the notebook. */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...prefix, i], out));
  else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) pathsOf(item, [...prefix, key], out);
  return out;
}

type Mutation = { kind: "delete" } | { kind: "replace"; value: unknown } | { kind: "add-key"; key: string; value: unknown };

function mutate(root: Record<string, unknown>, path: Path, mutation: Mutation): unknown {
  if (path.length === 0) return mutation.kind === "replace" ? mutation.value : root;
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root) as Record<string | number, unknown> | unknown[];
  const key = path.at(-1)!;
  if (mutation.kind === "delete") {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (mutation.kind === "replace") {
    (parent as Record<string | number, unknown>)[key] = mutation.value;
  } else {
    const target = (parent as Record<string | number, unknown>)[key];
    if (target !== null && typeof target === "object" && !Array.isArray(target)) (target as Record<string, unknown>)[mutation.key] = mutation.value;
  }
  return root;
}

const interestingKeys = fc.constantFrom("id", "cell_type", "source", "outputs", "metadata", "output_type", "data", "nbformat", "nbformat_minor", "execution_count", "__proto__", "attachments", "x-extra");
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: "delete" }),
  fc.jsonValue({ maxDepth: 3 }).map((value): Mutation => ({ kind: "replace", value })),
  fc.record({ key: fc.oneof(interestingKeys, fc.string()), value: fc.jsonValue({ maxDepth: 2 }) }).map((m): Mutation => ({ kind: "add-key", ...m })),
);

describe("checkNotebook and the formatters, on any input", () => {
  it("never throw on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const report = checkAndRender(bytes);
        expect(report.valid).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("never throw on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        checkAndRender(encoder.encode(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it("never throw on arbitrary text, including lone surrogates", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 500 }), (text) => {
        checkAndRender(encoder.encode(text));
      }),
      { numRuns: 200 },
    );
  });

  it("never throw on notebooks mutated anywhere", () => {
    const base = baseNotebook();
    const paths = pathsOf(base);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(paths.length - 1), mutationArb), { minLength: 1, maxLength: 4 }), fc.constantFrom(0, 1, 2), fc.nat(10), (mutations, minorBump, nbformatMinor) => {
        let nb: unknown = structuredClone(base);
        for (const [index, mutation] of mutations) {
          if (nb === null || typeof nb !== "object" || Array.isArray(nb)) break;
          // A path from the original may no longer exist after an earlier mutation; skip it then.
          try {
            nb = mutate(nb as Record<string, unknown>, paths[index]!, mutation);
          } catch {
            continue;
          }
        }
        if (minorBump > 0 && nb !== null && typeof nb === "object" && !Array.isArray(nb)) (nb as Record<string, unknown>)["nbformat_minor"] = nbformatMinor;
        checkAndRender(encoder.encode(JSON.stringify(nb, null, minorBump)));
      }),
      { numRuns: 300 },
    );
  });

  it("never throw on truncated or byte-flipped notebooks", () => {
    const bytes = encoder.encode(JSON.stringify(baseNotebook(), null, 1));
    fc.assert(
      fc.property(fc.nat(bytes.length), fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 5 }), (cut, flips) => {
        const copy = bytes.slice(0, Math.max(cut, 1));
        for (const [at, value] of flips) if (at < copy.length) copy[at] = value;
        checkAndRender(copy);
      }),
      { numRuns: 300 },
    );
  });
});
