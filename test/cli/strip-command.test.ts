import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, runCli } from "./build-cli.js";
import { cleanNotebook, notebookMissingSource } from "./sample-notebooks.js";

let root: string;
beforeAll(async () => {
  buildCli();
  root = await mkdtemp(path.join(os.tmpdir(), "nbtrain-strip-cli-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** The clean notebook with an output and a timing left in its first code cell. */
function runNotebook(): string {
  const nb = JSON.parse(cleanNotebook()) as { cells: Array<Record<string, unknown>> };
  nb.cells[1]!["outputs"] = [{ output_type: "stream", name: "stdout", text: ["done\n"] }];
  nb.cells[1]!["metadata"] = { ExecuteTime: { end_time: "2026-01-01T00:00:00Z" } };
  return JSON.stringify(nb, null, 2);
}

describe("nbtrain strip", () => {
  it("rewrites a notebook in place, keeps its mode, and leaves no temporary file", async () => {
    const dir = await mkdtemp(path.join(root, "ws-"));
    const file = path.join(dir, "run.ipynb");
    await writeFile(file, runNotebook());
    await chmod(file, 0o640);
    const run = await runCli(["strip", "run.ipynb"], dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("run.ipynb: stripped\n");
    const text = await readFile(file, "utf8");
    expect(text).not.toContain("done");
    expect(text).not.toContain("ExecuteTime");
    expect(text).toMatch(/"execution_count": null/);
    expect(text.endsWith("}\n")).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(["run.ipynb"]);
    // A second run finds nothing to change and does not touch the file.
    const before = (await stat(file)).mtimeMs;
    const again = await runCli(["strip", "run.ipynb"], dir);
    expect(again).toMatchObject({ status: 0, stdout: "" });
    expect((await stat(file)).mtimeMs).toBe(before);
  });

  it("--check writes nothing and exits 1 when a notebook would change; --stdout prints it", async () => {
    const dir = await mkdtemp(path.join(root, "ws-"));
    await writeFile(path.join(dir, "run.ipynb"), runNotebook());
    const check = await runCli(["strip", "--check", "."], dir);
    expect(check).toMatchObject({ status: 1, stdout: "run.ipynb: would be stripped\n" });
    expect(await readFile(path.join(dir, "run.ipynb"), "utf8")).toBe(runNotebook());
    const printed = await runCli(["strip", "--stdout", "--keep-output", "run.ipynb"], dir);
    expect(printed.status).toBe(0);
    expect(printed.stdout).toContain('"done\\n"');
    expect(printed.stdout).not.toContain("ExecuteTime");
    const keepMeta = await runCli(["strip", "--stdout", "--keep-metadata", "cell.metadata.ExecuteTime", "run.ipynb"], dir);
    expect(keepMeta.stdout).toContain("ExecuteTime");
  });

  it("leaves a notebook it cannot read exactly untouched, says why, and exits 1", async () => {
    const dir = await mkdtemp(path.join(root, "ws-"));
    await writeFile(path.join(dir, "bad.ipynb"), notebookMissingSource());
    const run = await runCli(["strip", "bad.ipynb"], dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^nbtrain strip: bad\.ipynb: not a valid notebook, so it is left as it is: .*source/m);
    expect(await readFile(path.join(dir, "bad.ipynb"), "utf8")).toBe(notebookMissingSource());
  });

  it("refuses a bad metadata key as a usage error", async () => {
    const run = await runCli(["strip", "--keep-metadata", "ExecuteTime", "x.ipynb"], root);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/"ExecuteTime" is not a metadata key; write metadata\.KEY or cell\.metadata\.KEY/);
  });
});

describe("nbtrain --version", () => {
  it("prints the package's version", async () => {
    const pkg = JSON.parse(await readFile(path.resolve(__dirname, "../../package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const run = await runCli([flag], root);
      expect(run).toMatchObject({ status: 0, stdout: `${pkg.version}\n` });
    }
  });
});
