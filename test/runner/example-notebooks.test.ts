import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { checkNotebook } from "../../src/notebook/check-notebook.js";
import { NUMPY_EXAMPLE, SAVE_ON_STOP_EXAMPLE, TORCH_EXAMPLE } from "./runner-harness.js";

describe.each([
  ["numpy", NUMPY_EXAMPLE],
  ["torch", TORCH_EXAMPLE],
  ["save-on-stop", SAVE_ON_STOP_EXAMPLE],
])("the %s example notebook", (_name, file) => {
  it("is a valid nbformat 4.5 notebook with unique cell ids, by nbformat's own verdict", () => {
    const verdict = execFileSync("/usr/bin/python3", [
      "-c",
      "import nbformat, sys; nb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT); nbformat.validate(nb); ids = [c.id for c in nb.cells]; assert len(ids) == len(set(ids)), ids; print(nb.nbformat, nb.nbformat_minor)",
      file,
    ]).toString();
    expect(verdict.trim()).toBe("4 5");
  });

  it("passes nbtrain check without errors and has one parameters cell with epochs, lr and seed", async () => {
    const bytes = await readFile(file);
    const report = checkNotebook(file, bytes);
    expect(report.valid).toBe(true);
    expect(report.findings.filter((finding) => finding.severity === "error")).toEqual([]);
    const nb = JSON.parse(bytes.toString("utf8"));
    const tagged = nb.cells.filter((cell: any) => cell.metadata.tags?.includes("parameters"));
    expect(tagged).toHaveLength(1);
    const source = tagged[0].source.join("");
    for (const name of ["epochs", "lr", "seed", "checkpoint_dir", "output_dir", "run_id", "resume"]) expect(source).toMatch(new RegExp(`^${name} = `, "m"));
  });
});
