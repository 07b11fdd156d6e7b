import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import picomatch from "picomatch";
import { DEFAULT_INCLUDE_PATTERN, findNotebooks } from "../../src/cli/find-notebooks.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "nbtrain-find-"));
  const files = [
    "b.ipynb",
    "a.ipynb",
    "README.md",
    "lessons/01/intro.ipynb",
    "lessons/02/train.ipynb",
    "lessons/02/.ipynb_checkpoints/train-checkpoint.ipynb",
    "scratch/try.ipynb",
    ".git/objects/x.ipynb",
    "node_modules/lib/demo.ipynb",
    "outside/elsewhere.ipynb",
  ];
  for (const file of files) {
    await mkdir(path.dirname(path.join(root, "repo", file)), { recursive: true });
    await writeFile(path.join(root, "repo", file), "{}");
  }
  // A symlinked directory pointing back up would loop forever if it were followed.
  await symlink(path.join(root, "repo"), path.join(root, "repo", "lessons", "loop"));
}, 30_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const all = { include: ["**/*.ipynb"], exclude: [] };
const paths = async (given: string[], options: { include: string[]; exclude: string[] } = all, cwd = "repo"): Promise<string[]> =>
  (await findNotebooks(given, { cwd: path.join(root, cwd), ...options })).files.map((file) => file.path);

describe("findNotebooks", () => {
  it("walks the current directory in name order, skipping .git, node_modules, checkpoints and symlinked directories", async () => {
    expect(await paths([])).toEqual(["a.ipynb", "b.ipynb", "lessons/01/intro.ipynb", "lessons/02/train.ipynb", "outside/elsewhere.ipynb", "scratch/try.ipynb"]);
  });

  it("keeps the directory as given in the paths it finds", async () => {
    expect(await paths(["./lessons/"])).toEqual(["lessons/01/intro.ipynb", "lessons/02/train.ipynb"]);
  });

  it("applies include and exclude, relative to the current directory, to directory walks", async () => {
    expect(await paths(["."], { include: ["lessons/**/*.ipynb", "*.ipynb"], exclude: ["lessons/02/**"] })).toEqual(["a.ipynb", "b.ipynb", "lessons/01/intro.ipynb"]);
  });

  it("matches include and exclude against the walked directory for one outside the current directory", async () => {
    expect(await paths(["../lessons"], { include: ["02/*.ipynb"], exclude: [] }, "repo/scratch")).toEqual(["../lessons/02/train.ipynb"]);
  });

  it("takes an explicit file as given, even if excluded, missing, or not named .ipynb", async () => {
    expect(await paths(["scratch/try.ipynb", "gone.ipynb", "README.md"], { include: ["**/*.ipynb"], exclude: ["scratch/**"] })).toEqual([
      "scratch/try.ipynb",
      "gone.ipynb",
      "README.md",
    ]);
  });

  it("expands globs, reports those that match nothing, and de-duplicates", async () => {
    const result = await findNotebooks(["lessons/*/*.ipynb", "lessons/01/intro.ipynb", "nothing/**/*.ipynb"], { cwd: path.join(root, "repo"), ...all });
    expect(result.files.map((file) => file.path)).toEqual(["lessons/01/intro.ipynb", "lessons/02/train.ipynb"]);
    expect(result.unmatched).toEqual(["nothing/**/*.ipynb"]);
  });

  it("gives absolute paths for reading", async () => {
    const result = await findNotebooks(["a.ipynb"], { cwd: path.join(root, "repo"), ...all });
    expect(result.files).toEqual([{ path: "a.ipynb", absolute: path.join(root, "repo", "a.ipynb") }]);
  });

  it("matches the default include without picomatch exactly as picomatch does", async () => {
    const compiled = picomatch.makeRe("**/*.ipynb", { dot: true });
    expect(DEFAULT_INCLUDE_PATTERN.source).toBe(compiled.source);
    expect(DEFAULT_INCLUDE_PATTERN.flags).toBe(compiled.flags);
    // Odd names a walk can meet; picomatch refuses some of them, and so must the fast path.
    const odd = ["odd/.ipynb", "odd/..ipynb", "odd/line\nbreak.ipynb", "odd/\nfirst.ipynb", "odd/carriage\rreturn.ipynb", "odd/sep\u2028arator.ipynb", "odd/[a] (b).ipynb", "odd/ünï.ipynb"];
    for (const name of odd) {
      await mkdir(path.dirname(path.join(root, "repo", name)), { recursive: true });
      await writeFile(path.join(root, "repo", name), "{}");
    }
    try {
      const fast = await paths(["."]);
      // Naming the pattern twice is no longer the default, so this walk goes through picomatch.
      const slow = await paths(["."], { include: ["**/*.ipynb", "**/*.ipynb"], exclude: [] });
      expect(fast).toEqual(slow);
      expect(fast).toContain("odd/[a] (b).ipynb");
      expect(fast).toContain("odd/line\nbreak.ipynb");
      expect(fast).not.toContain("odd/\nfirst.ipynb");
    } finally {
      await rm(path.join(root, "repo", "odd"), { recursive: true, force: true });
    }
  });
});
