import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { existsSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFunctions } from "../../scripts/lib/build-functions.js";
import { repoRoot } from "../support/repo-root.js";

const dockerfile = readFileSync(path.join(repoRoot, "templates/runner.Dockerfile"), "utf8");
/** Instructions with their continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/gu, " ")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));
const argument = (keyword: string) => instructions.filter((line) => line.toUpperCase().startsWith(`${keyword} `)).map((line) => line.slice(keyword.length + 1).trim());

/** Which import names each pip package provides (ipykernel depends on IPython and installs it). */
const PROVIDES: Record<string, string[]> = { nbformat: ["nbformat"], nbclient: ["nbclient"], ipykernel: ["ipykernel", "IPython"] };

async function pythonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith(".py")).map((entry) => path.join(entry.parentPath, entry.name));
}

describe("templates/runner.Dockerfile", () => {
  let outRoot: string;
  beforeAll(async () => {
    outRoot = await mkdtemp(path.join(tmpdir(), "nbtrain-image-"));
    await buildFunctions(repoRoot, outRoot);
  });
  afterAll(async () => {
    await rm(outRoot, { recursive: true, force: true });
  });

  it("has nbtrain-runner as its entrypoint, linked to the runner bundle the build writes", () => {
    expect(argument("ENTRYPOINT")).toEqual(['["nbtrain-runner"]']);
    const copy = argument("COPY").find((args) => args.endsWith(" /opt/nbtrain"));
    expect(copy).toBe("dist/runner-image /opt/nbtrain");
    const link = /ln -s (\/opt\/nbtrain\/\S+) \/usr\/local\/bin\/nbtrain-runner/u.exec(argument("RUN").join("\n"));
    expect(link).not.toBeNull();
    const built = path.join(outRoot, "runner-image", path.relative("/opt/nbtrain", link![1]!));
    expect(existsSync(built), `${built} is what /usr/local/bin/nbtrain-runner points at`).toBe(true);
    expect(readFileSync(built, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(statSync(built).mode & 0o111).not.toBe(0);
    // The runner finds its shim by walking up to nbtrain's package.json.
    expect(JSON.parse(readFileSync(path.join(outRoot, "runner-image/package.json"), "utf8")).name).toBe("nbtrain");
    expect(existsSync(path.join(outRoot, "runner-image/src/runner/python/nbtrain_shim.py"))).toBe(true);
  });

  it("installs exactly the Python packages the runner's shim imports and its interpreter probe needs", async () => {
    const pip = argument("RUN").flatMap((run) => [...run.matchAll(/\b([A-Za-z0-9_.-]+)==[0-9][^\s]*/gu)].map((match) => match[1]!.toLowerCase()));
    expect(pip.length).toBeGreaterThan(0);

    // What the shim imports, minus the standard library and nbtrain's own modules. Asking the
    // interpreter for its stdlib list fails loudly when /usr/bin/python3 is missing.
    const stdlib = new Set(JSON.parse(execFileSync("/usr/bin/python3", ["-c", "import sys, json; print(json.dumps(sorted(sys.stdlib_module_names)))"], { encoding: "utf8" })) as string[]);
    const pythonDir = path.join(repoRoot, "src/runner/python");
    const files = await pythonFiles(pythonDir);
    expect(files.length).toBeGreaterThan(0);
    // nbtrain's own modules: each file's name, and each package's folder (src/runner/python/kernel/nbtrain/__init__.py is `nbtrain`).
    const own = new Set(["google", ...files.map((file) => (path.basename(file) === "__init__.py" ? path.basename(path.dirname(file)) : path.basename(file, ".py")))]);
    const imported = new Set<string>();
    for (const file of files) {
      for (const match of readFileSync(file, "utf8").matchAll(/^\s*(?:import\s+([A-Za-z_][\w.]*)|from\s+([A-Za-z_][\w.]*)\s+import)/gmu)) {
        const top = (match[1] ?? match[2]!).split(".")[0]!;
        if (!stdlib.has(top) && !own.has(top)) imported.add(top);
      }
    }
    // The runner only starts a Python that can import these (src/runner/find-python.ts).
    const probe = /const PROBE = "import ([^;]+);/u.exec(readFileSync(path.join(repoRoot, "src/runner/find-python.ts"), "utf8"));
    expect(probe).not.toBeNull();
    for (const name of probe![1]!.split(",").map((item) => item.trim())) if (!stdlib.has(name)) imported.add(name);

    const provided = new Set(pip.flatMap((name) => PROVIDES[name] ?? [name]));
    expect([...imported].filter((name) => !provided.has(name)), "imported but not installed").toEqual([]);
    const unused = pip.filter((name) => !(PROVIDES[name] ?? [name]).some((module) => imported.has(module)));
    expect(unused, "installed but imported by nothing").toEqual([]);
    expect([...imported].sort()).toEqual(["IPython", "ipykernel", "nbclient", "nbformat"]);
  });

  it("builds on a CUDA PyTorch base and runs as a non-root user", () => {
    expect(argument("ARG").find((arg) => arg.startsWith("PYTORCH_IMAGE="))).toMatch(/^PYTORCH_IMAGE=pytorch\/pytorch:[\w.-]+-cuda[\w.-]+$/u);
    expect(argument("USER")).toEqual(["nbtrain"]);
  });
});
