import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { trainCommand } from "../../src/cli/train-command.js";
import { readStoreJson } from "../../src/runner/read-store-json.js";
import { FileStore } from "../../src/storage/file-store.js";
import { fixtures, NUMPY_EXAMPLE } from "../runner/runner-harness.js";

let cwd: string;

function capture() {
  const out = { stdout: "", stderr: "" };
  const sink = (name: "stdout" | "stderr") =>
    new Writable({
      write(chunk, _encoding, done) {
        out[name] += String(chunk);
        done();
      },
    });
  return { out, io: { stdout: sink("stdout"), stderr: sink("stderr"), cwd, env: process.env } };
}

async function train(...args: string[]) {
  const { out, io } = capture();
  const code = await trainCommand(args, io);
  return { code, ...out };
}

beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), "nbtrain-cli-"));
});

afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe("nbtrain train: bad input", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["a missing notebook", ["missing.ipynb"], /missing\.ipynb does not exist/],
    ["an invalid notebook", [path.join(fixtures, "broken.ipynb")], /cannot run: nbtrain check found 1 error[\s\S]*invalid-json/],
    ["a notebook that breaks the nbformat schema", [path.join(fixtures, "schema-invalid.ipynb")], /schema-invalid\.ipynb cannot run: nbtrain check found \d+ errors?:\n.*schema/],
    ["a folder instead of a notebook", [fixtures], /is a folder, not a notebook/],
    ["a parameter without =", [NUMPY_EXAMPLE, "-p", "epochs"], /-p "epochs" is not NAME=VALUE/],
    ["a parameter value that is not YAML", [NUMPY_EXAMPLE, "-p", "sizes=[1, 2"], /-p sizes: the value cannot be parsed as YAML/],
    ["a parameter name that is not an identifier", [NUMPY_EXAMPLE, "-p", "os.system=1"], /not a Python identifier/],
    ["a parameter nbtrain sets itself", [NUMPY_EXAMPLE, "-p", "checkpoint_dir=/tmp"], /checkpoint_dir is set by nbtrain/],
    ["a run id with ../", [NUMPY_EXAMPLE, "--run", "../x"], /--run "\.\.\/x" is not a run id/],
    ["a run id with a slash", [NUMPY_EXAMPLE, "--run", "a/b"], /is not a run id/],
    ["a store URI that cannot be parsed", [NUMPY_EXAMPLE, "--store", "ftp//nowhere"], /Invalid store URI/],
    ["an unknown store scheme", [NUMPY_EXAMPLE, "--store", "ftp://host/x"], /unknown scheme "ftp"/],
    ["a bad timeout", [NUMPY_EXAMPLE, "--timeout", "soon"], /--timeout "soon" is not a duration/],
    ["an unknown option", [NUMPY_EXAMPLE, "--gpu", "a10g"], /Unknown option --gpu/],
    ["no notebook", [], /Name the notebook to train/],
  ];
  it.each(cases)("%s: exit 2, a clear message, nothing written", async (_name, args, message) => {
    const storeDir = path.join(cwd, "store");
    const { code, stderr, stdout } = await train(...args, ...(args.includes("--store") ? [] : ["--store", `file://${storeDir}`]));
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe("");
    expect(existsSync(storeDir)).toBe(false);
    expect(await readdir(cwd)).toEqual([]);
  });

  it("a params file that is not a mapping: exit 2", async () => {
    await writeFile(path.join(cwd, "p.yaml"), "- 1\n- 2\n");
    const { code, stderr } = await train(NUMPY_EXAMPLE, "--params-file", "p.yaml", "--store", `file://${cwd}/store`);
    expect(code).toBe(2);
    expect(stderr).toMatch(/must hold a mapping/);
    expect(existsSync(path.join(cwd, "store"))).toBe(false);
  });
});

describe("nbtrain train: runs", { timeout: 180_000 }, () => {
  it("reads -p values as YAML scalars, merges a params file, finishes with exit 0 and says where things are; the same --run resumes", async () => {
    await writeFile(path.join(cwd, "params.yaml"), "seed: 3\nhidden: 16\nlr: 2.0\n");
    const args = [
      NUMPY_EXAMPLE, "-p", "epochs=3", "-p", "lr=0.5", "--params-file", "params.yaml", "--run", "cli-run",
      "-p", "tag=resnet", "-p", "amp=true", "-p", "decay=1e-3", "-p", "quoted='0.5'", "-p", "sizes=[64, 32]", "-p", "nothing=null", "-p", "big=.inf",
    ];
    const first = await train(...args);
    expect(first.stderr).not.toMatch(/nbtrain train:/);
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split("\n");
    const storeRoot = path.join(cwd, ".nbtrain");
    const runDir = path.join(storeRoot, "runs", "local", path.basename(cwd), "cli-run");
    expect(lines.at(-1)).toBe(`Run cli-run completed. Output: file://${runDir}/output.ipynb Checkpoints: file://${runDir}/checkpoints/`);

    const store = new FileStore(storeRoot);
    const prefix = `runs/local/${path.basename(cwd)}/cli-run/`;
    const result = (await readStoreJson(store, `${prefix}result.json`)) as any;
    expect(result.parameters).toMatchObject({ epochs: 3, lr: 0.5, seed: 3, hidden: 16, run_id: "cli-run", resume: false });
    expect(result.parameters).toMatchObject({ tag: "resnet", amp: true, decay: 0.001, quoted: "0.5", sizes: [64, 32], nothing: null, big: "inf" });
    expect(result.metrics.epochs).toBe(3);

    const second = await train(...args);
    expect(second.code).toBe(0);
    const resumed = (await readStoreJson(store, `${prefix}result.json`)) as any;
    expect(resumed).toMatchObject({ attempt: 2, resumed: true, status: "completed" });
    expect(resumed.metrics).toEqual(result.metrics);
  });

  it("exits 1 when the notebook fails and names the cell and the error", async () => {
    const { code, stderr, stdout } = await train(path.join(fixtures, "failing-cell.ipynb"), "--run", "fails", "--store", `file://${cwd}/s`);
    expect(code).toBe(1);
    expect(stderr).toContain("the notebook failed in cell 3: ValueError: boom 42");
    expect(stdout.trim().split("\n").at(-1)).toMatch(/^Run fails failed\. Output: file:\/\/.*output\.ipynb .*--run fails --store file:\/\//);
  });

  it("prints its usage with --help", async () => {
    const { code, stdout } = await train("--help");
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: nbtrain train NOTEBOOK");
  });
});
