import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./build-cli.js";
import { cleanNotebook, notebookMissingSource } from "./sample-notebooks.js";

const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string; engines: { node: string } };

// Installs come from npm's cache only (npm ci filled it): the tests never reach the registry.
const npmEnv = { ...process.env, npm_config_offline: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };

function npm(args: string[], cwd: string): string {
  const run = spawnSync("npm", args, { cwd, env: npmEnv, encoding: "utf8", timeout: 15 * 60_000 });
  if (run.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** Runs the installed `nbtrain` the way a user would, through npx in the project. */
function npx(project: string, args: string[], cwd = project) {
  const run = spawnSync("npx", ["--no-install", "nbtrain", ...args], { cwd, env: { ...npmEnv, npm_config_prefix: undefined }, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function project(root: string, name: string): Promise<string> {
  const dir = path.join(root, name);
  execFileSync("mkdir", ["-p", dir]);
  await writeFile(path.join(dir, "package.json"), JSON.stringify({ name, private: true }));
  return dir;
}

async function useCli(dir: string): Promise<void> {
  const version = npx(dir, ["--version"]);
  expect(version).toMatchObject({ status: 0, stdout: `${pkg.version}\n` });
  await writeFile(path.join(dir, "clean.ipynb"), cleanNotebook());
  await writeFile(path.join(dir, "bad.ipynb"), notebookMissingSource());
  expect(npx(dir, ["check", "clean.ipynb"])).toMatchObject({ status: 0 });
  const bad = npx(dir, ["check", "--format", "json", "bad.ipynb"]);
  expect(bad.status).toBe(1);
  expect(JSON.parse(bad.stdout).summary.errors).toBeGreaterThan(0);
  // The CLI alone: none of the App's SDKs came along.
  for (const sdk of ["@aws-sdk/client-s3", "@googleapis/drive", "probot", "@octokit/rest"]) {
    expect(existsSync(path.join(dir, "node_modules", sdk)), sdk).toBe(false);
  }
}

let root: string;
let tarball: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "nbtrain-install-"));
  // npm pack runs the prepare script (the build), as it does for a git dependency.
  const name = npm(["pack", "--pack-destination", root], repoRoot).trim();
  expect(name).toMatch(/^nbtrain-[\d.]+\.tgz$/);
  tarball = path.join(root, name);
}, 15 * 60_000);
afterAll(() => rm(root, { recursive: true, force: true }));

describe("installing nbtrain", () => {
  it("packs only what runs", () => {
    const files = (JSON.parse(npm(["pack", "--dry-run", "--json", "--ignore-scripts"], repoRoot)) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    for (const needed of ["bin/nbtrain.js", "bin/nbtrain-action.js", "dist/cli/check.cjs", "dist/cli/check.cjs.sha256", "dist/src/cli/main.js", "dist/src/runner/job-entry.js", "src/runner/python/nbtrain_shim.py", "action.yml", ".pre-commit-hooks.yaml", "package.json"]) {
      expect(files).toContain(needed);
    }
    expect(files.filter((file) => /^dist\/(bench|test|functions)\//.test(file) || file.endsWith(".map") || /^(test|bench)\//.test(file) || file.endsWith(".ts"))).toEqual([]);
  });

  it("from a packed tarball, npx nbtrain runs --version and check, without the App's SDKs", async () => {
    const dir = await project(root, "from-tarball");
    npm(["install", tarball], dir);
    await useCli(dir);
    // A store whose SDK the command-line install left out is refused with the package to add.
    const s3 = npx(dir, ["train", "clean.ipynb", "--store", "s3://bucket/runs"]);
    expect(s3.status).toBe(2);
    expect(s3.stderr).toContain("nbtrain train: s3://bucket/runs needs @aws-sdk/client-s3 and @aws-sdk/lib-storage, which are not installed; run: npm install @aws-sdk/client-s3 @aws-sdk/lib-storage");
  }, 15 * 60_000);

  it("from a git repository, as npm install github:OWNER/REPO does, the prepare script builds it", async () => {
    // A clone stands in for GitHub: npm fetches it with git, installs its devDependencies, runs prepare, packs.
    const clone = path.join(root, "repo.git");
    execFileSync("git", ["clone", "--quiet", "--bare", repoRoot, clone]);
    const dir = await project(root, "from-git");
    npm(["install", `git+file://${clone}`], dir);
    expect(existsSync(path.join(dir, "node_modules/nbtrain/dist/cli/check.cjs"))).toBe(true);
    await useCli(dir);
  }, 15 * 60_000);
});
