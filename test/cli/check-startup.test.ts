import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
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

function loadedBy(cwd: string, args: string[]): string[] {
  const run = spawnSync(process.execPath, ["--import", preload, path.join(repoRoot, "bin/nbtrain.js"), ...args], { cwd, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  const line = run.stderr.split("\n").find((l) => l.startsWith("LOADED "));
  return JSON.parse(line!.slice("LOADED ".length)) as string[];
}

describe("nbtrain check's start-up", () => {
  it("runs from the one bundled file, loading no package, when there is no config file", async () => {
    const dir = await mkdtemp(path.join(root, "ws-"));
    await writeFile(path.join(dir, "n.ipynb"), cleanNotebook());
    const loaded = loadedBy(dir, ["check", "n.ipynb"]);
    expect(loaded).toContain(path.join(repoRoot, "dist/cli/check.cjs"));
    expect(loaded.filter((file) => file.includes(`${path.sep}node_modules${path.sep}`))).toEqual([]);
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
