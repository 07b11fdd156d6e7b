import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./build-cli.js";
import { cleanNotebook, notebookMissingSource } from "./sample-notebooks.js";

// pre-commit keeps one environment per repository revision here: when the checkout is clean,
// later runs reuse the `npm install` of the hook package instead of repeating it.
const PRE_COMMIT_HOME = path.join(os.tmpdir(), "nbtrain-test-pre-commit-home");

let root: string;
let nodeBin: string;
beforeAll(async () => {
  const version = spawnSync("pre-commit", ["--version"], { encoding: "utf8" });
  if (version.status !== 0) throw new Error("the pre-commit framework is required (apt-get install pre-commit)");
  root = await mkdtemp(path.join(os.tmpdir(), "nbtrain-pre-commit-"));
  // pre-commit's node environment runs the first `nodejs`, else `node`, on PATH; Debian's nodejs may be
  // older than the Node running these tests, so both names point at this one.
  nodeBin = path.join(root, "bin");
  await mkdir(nodeBin);
  await symlink(process.execPath, path.join(nodeBin, "node"));
  await symlink(process.execPath, path.join(nodeBin, "nodejs"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A fresh git repository with the given notebooks written and staged, as before a `git commit`. */
async function stagedRepo(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(root, "repo-"));
  const git = (...args: string[]) => {
    const run = spawnSync("git", args, { cwd: dir, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`git ${args.join(" ")}: ${run.stderr}`);
  };
  git("init", "-q");
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  git("add", ...Object.keys(files));
  return dir;
}

/**
 * `pre-commit try-repo` with this repository's .pre-commit-hooks.yaml: pre-commit installs the hook
 * the way it does for users (npm install, npm pack, npm install -g of the tarball, on the node found
 * on PATH) and runs it on the staged files.
 */
function tryRepo(dir: string, hook: string) {
  // npm installs the hook from its cache alone (npm ci filled it): the test never reaches the registry.
  const env = { ...process.env, npm_config_offline: "true", PRE_COMMIT_HOME, PATH: `${nodeBin}${path.delimiter}${process.env["PATH"]}`, NO_COLOR: "1" };
  const run = spawnSync("pre-commit", ["try-repo", repoRoot, hook, "--color", "never"], { cwd: dir, env, encoding: "utf8", timeout: 20 * 60_000 });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("pre-commit hooks (.pre-commit-hooks.yaml)", () => {
  it("nbtrain-check blocks a bad notebook with the finding's text and passes a clean one", async () => {
    const bad = await stagedRepo({ "bad.ipynb": notebookMissingSource(), "clean.ipynb": cleanNotebook() });
    const blocked = tryRepo(bad, "nbtrain-check");
    expect(blocked.status, blocked.output).toBe(1);
    expect(blocked.output).toMatch(/^nbtrain check\.+Failed$/m);
    // The finding as `nbtrain check` words it, on the notebook's line.
    const finding = (JSON.parse((await runCli(["check", "--format", "json", "bad.ipynb"], bad)).stdout) as {
      notebooks: Array<{ findings: Array<{ message: string; line: number; column: number }> }>;
    }).notebooks[0]!.findings[0]!;
    expect(blocked.output).toContain(finding.message);
    expect(blocked.output).toMatch(new RegExp(`^bad\\.ipynb\n  ${finding.line}:${finding.column} +error `, "m"));

    const clean = await stagedRepo({ "clean.ipynb": cleanNotebook() });
    const passed = tryRepo(clean, "nbtrain-check");
    expect(passed.status, passed.output).toBe(0);
    expect(passed.output).toMatch(/^nbtrain check\.+Passed$/m);
  }, 40 * 60_000);

  it("nbtrain-strip rewrites a notebook with outputs, which fails the commit until it is re-staged", async () => {
    const nb = JSON.parse(cleanNotebook()) as { cells: Array<Record<string, unknown>> };
    nb.cells[1]!["outputs"] = [{ output_type: "stream", name: "stdout", text: ["loaded\n"] }];
    const dir = await stagedRepo({ "run.ipynb": JSON.stringify(nb, null, 1) });
    const first = tryRepo(dir, "nbtrain-strip");
    expect(first.status, first.output).toBe(1);
    expect(first.output).toMatch(/^nbtrain strip\.+Failed$/m);
    expect(first.output).toContain("files were modified by this hook");
    const stripped = await readFile(path.join(dir, "run.ipynb"), "utf8");
    expect(stripped).not.toContain("loaded");
    spawnSync("git", ["add", "run.ipynb"], { cwd: dir });
    const second = tryRepo(dir, "nbtrain-strip");
    expect(second.status, second.output).toBe(0);
    expect(second.output).toMatch(/^nbtrain strip\.+Passed$/m);
  }, 40 * 60_000);
});
