import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_INCLUDE, DEFAULT_LIMITS } from "../../src/config/default-limits.js";
import { loadRepoConfigText } from "../../src/config/load-repo-config.js";
import { buildCli, repoRoot } from "./build-cli.js";
import { cleanNotebook } from "./sample-notebooks.js";

// Start-up speed itself is measured by `npm run bench:check`; these tests pin down what makes it:
// which files a check loads.
const REPORT_LOADED = `
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
process.on("exit", () => process.stderr.write("LOADED " + JSON.stringify(Object.keys(require.cache)) + "\\n"));
`;

let root: string;
let preload: string;
beforeAll(async () => {
  buildCli();
  root = await mkdtemp(path.join(os.tmpdir(), "nbtrain-startup-"));
  preload = path.join(root, "report-loaded.mjs");
  await writeFile(preload, REPORT_LOADED);
});
afterAll(() => rm(root, { recursive: true, force: true }));

function loadedBy(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env, bin = path.join(repoRoot, "bin/nbtrain.js")): string[] {
  const run = spawnSync(process.execPath, ["--import", preload, bin, ...args], { cwd, encoding: "utf8", env });
  expect(run.status, run.stderr).toBe(0);
  const line = run.stderr.split("\n").find((l) => l.startsWith("LOADED "));
  return JSON.parse(line!.slice("LOADED ".length)) as string[];
}

describe("nbtrain check's start-up", () => {
  it("runs from the one bundled file, loading no package, when there is no config file", async () => {
    const dir = await mkdtemp(path.join(root, "ws-"));
    await writeFile(path.join(dir, "n.ipynb"), cleanNotebook());
    // Without a compile cache the bundle is required as any module is.
    const required = loadedBy(dir, ["check", "n.ipynb"], { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(required).toEqual([path.join(repoRoot, "dist/cli/check.cjs")]);
    // With one, it is compiled through vm with its code cache: no module is required at all.
    const cached = loadedBy(dir, ["check", "n.ipynb"], { ...process.env, NODE_COMPILE_CACHE: await mkdtemp(path.join(root, "cache-")) });
    expect(cached).toEqual([]);
  });

  it("loads the YAML and validation libraries once a config file exists", async () => {
    const dir = await mkdtemp(path.join(root, "ws-"));
    await writeFile(path.join(dir, "n.ipynb"), cleanNotebook());
    await mkdir(path.join(dir, ".github"));
    await writeFile(path.join(dir, ".github/nbtrain.yml"), "rules:\n  secret: error\n");
    const loaded = loadedBy(dir, ["check", "n.ipynb"]);
    expect(loaded.some((file) => file.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`))).toBe(true);
    expect(loaded.some((file) => file.includes(`${path.sep}node_modules${path.sep}yaml${path.sep}`))).toBe(true);
  });

  it("uses, without a config file, the defaults the config schema gives an empty one", () => {
    const empty = loadRepoConfigText("");
    expect(empty.ok && empty.config).toMatchObject({ include: [...DEFAULT_INCLUDE], exclude: [], rules: {}, limits: { ...DEFAULT_LIMITS } });
  });
});

describe("the check bundle's V8 code cache", () => {
  /** bin/ and dist/cli/ copied, so a test may rebuild or damage the bundle. */
  async function tree(): Promise<{ bin: string; bundle: string }> {
    const at = await mkdtemp(path.join(root, "tree-"));
    await mkdir(path.join(at, "bin"));
    await mkdir(path.join(at, "dist/cli"), { recursive: true });
    await cp(path.join(repoRoot, "bin/nbtrain.js"), path.join(at, "bin/nbtrain.js"));
    for (const name of ["check.cjs", "check.cjs.sha256"]) await cp(path.join(repoRoot, "dist/cli", name), path.join(at, "dist/cli", name));
    return { bin: path.join(at, "bin/nbtrain.js"), bundle: path.join(at, "dist/cli/check.cjs") };
  }

  /** The cache files under a NODE_COMPILE_CACHE folder (Node adds a folder per version and user). */
  async function cacheFiles(dir: string): Promise<string[]> {
    const found: string[] = [];
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.startsWith("nbtrain-check-")) found.push(path.join(entry.parentPath, entry.name));
    }
    return found.sort();
  }

  async function workspace(): Promise<string> {
    const dir = await mkdtemp(path.join(root, "ws-"));
    await writeFile(path.join(dir, "clean.ipynb"), cleanNotebook());
    await writeFile(path.join(dir, "broken.ipynb"), '{"cells": [], "nbformat": 4}');
    return dir;
  }

  function check(bin: string, cwd: string, cacheDir: string): { status: number | null; stdout: string } {
    const run = spawnSync(process.execPath, [bin, "check", "--format", "json", "."], { cwd, encoding: "utf8", env: { ...process.env, NODE_COMPILE_CACHE: cacheDir } });
    expect(run.stderr).toBe("");
    return { status: run.status, stdout: run.stdout };
  }

  it("is made by the first run, holds the functions the check compiled, and is used unchanged afterwards", async () => {
    const { bin } = await tree();
    const cwd = await workspace();
    const cacheDir = await mkdtemp(path.join(root, "cache-"));
    const first = check(bin, cwd, cacheDir);
    expect(first.status).toBe(1); // broken.ipynb lacks metadata and nbformat_minor
    const [file, ...others] = await cacheFiles(cacheDir);
    expect(others).toEqual([]);
    const made = await stat(file!);
    // Made before the code runs, a cache holds the top level alone (what Node's own compile cache
    // holds); made after a run, it also holds every function the check compiled.
    const source = await readFile(path.join(repoRoot, "dist/cli/check.cjs"), "utf8");
    const topLevelOnly = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`).createCachedData().length;
    expect(made.size).toBeGreaterThan(2 * topLevelOnly);
    const second = check(bin, cwd, cacheDir);
    expect(second).toEqual(first);
    const after = await stat(file!);
    expect([after.ino, after.mtimeMs]).toEqual([made.ino, made.mtimeMs]); // accepted, so not rewritten
  });

  it("costs only speed when damaged: the same report, and the cache is made again", async () => {
    const { bin } = await tree();
    const cwd = await workspace();
    const cacheDir = await mkdtemp(path.join(root, "cache-"));
    const reference = check(bin, cwd, cacheDir);
    const [file] = await cacheFiles(cacheDir);
    await writeFile(file!, Buffer.alloc(4096, 0x5a));
    expect(check(bin, cwd, cacheDir)).toEqual(reference);
    const remade = await readFile(file!);
    expect(remade.length).toBeGreaterThan(50_000);
    expect(remade.equals(Buffer.alloc(remade.length, 0x5a))).toBe(false);
  });

  it("is never used with another build: a changed bundle gets a cache of its own name", async () => {
    const { bin, bundle } = await tree();
    const cwd = await workspace();
    const cacheDir = await mkdtemp(path.join(root, "cache-"));
    const reference = check(bin, cwd, cacheDir);
    const [old] = await cacheFiles(cacheDir);
    // A rebuild that changes the report, as a new release would, of the very same length and
    // mtime (npm packs every file with one fixed mtime): V8 checks a cache against the source's
    // length only, so only the checksum in the cache's name tells the two builds apart.
    const before = await stat(bundle);
    const original = await readFile(bundle, "utf8");
    const source = original.replaceAll('"notebooks"} checked', '"notebooks"} scanned');
    expect([source.length, Buffer.byteLength(source)]).toEqual([original.length, before.size]);
    expect(source).not.toBe(original);
    await writeFile(bundle, source);
    await utimes(bundle, before.atime, before.mtime);
    await writeFile(`${bundle}.sha256`, `${createHash("sha256").update(source).digest("hex")}\n`);
    const text = spawnSync(process.execPath, [bin, "check", "."], { cwd, encoding: "utf8", env: { ...process.env, NODE_COMPILE_CACHE: cacheDir, NO_COLOR: "1" } });
    expect(text.stdout).toContain("notebooks scanned");
    const files = await cacheFiles(cacheDir);
    expect(files).toHaveLength(2);
    expect(files).toContain(old);
    expect(check(bin, cwd, cacheDir)).toEqual(reference);
  });

  it("is not made without the bundle's checksum: the bundle is then required as any module", async () => {
    const { bin, bundle } = await tree();
    await rm(`${bundle}.sha256`);
    const cwd = await mkdtemp(path.join(root, "ws-"));
    await writeFile(path.join(cwd, "clean.ipynb"), cleanNotebook());
    const cacheDir = await mkdtemp(path.join(root, "cache-"));
    expect(loadedBy(cwd, ["check", "."], { ...process.env, NODE_COMPILE_CACHE: cacheDir }, bin).filter((f) => f.endsWith("check.cjs"))).toEqual([bundle]);
    expect(await cacheFiles(cacheDir)).toEqual([]);
  });
});
