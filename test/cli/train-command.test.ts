import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { trainCommand } from "../../src/cli/train-command.js";
import { parseDuration } from "../../src/commands/parse-duration.js";
import { readStoreJson } from "../../src/runner/read-store-json.js";
import { FileStore } from "../../src/storage/file-store.js";
import { fixtures, NUMPY_EXAMPLE } from "../runner/runner-harness.js";

let cwd: string;

interface Terminal {
  /** Both streams claim to be a terminal, as they are when a person runs the command. */
  tty: boolean;
  env: NodeJS.ProcessEnv;
}

function capture(terminal: Terminal = { tty: false, env: process.env }) {
  const out = { stdout: "", stderr: "" };
  const sink = (name: "stdout" | "stderr") =>
    Object.assign(
      new Writable({
        write(chunk, _encoding, done) {
          out[name] += String(chunk);
          done();
        },
      }),
      terminal.tty ? { isTTY: true } : {},
    );
  return { out, io: { stdout: sink("stdout"), stderr: sink("stderr"), cwd, env: terminal.env } };
}

async function trainOn(terminal: Terminal, ...args: string[]) {
  const { out, io } = capture(terminal);
  const code = await trainCommand(args, io);
  return { code, ...out };
}

const train = (...args: string[]) => trainOn({ tty: false, env: process.env }, ...args);

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
    ["a bad timeout", [NUMPY_EXAMPLE, "--timeout", "soon"], /--timeout: "soon" is not a duration: write a number with a unit \(d, h, m, s\)/],
    ["a timeout without a unit", [NUMPY_EXAMPLE, "--timeout", "90"], /--timeout: "90" is not a duration/],
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

  it("--timeout takes exactly the durations /train timeout= takes", async () => {
    for (const text of ["1d", "2h", "1h30m", "90m", "3600s", "1.5h", "1d2h", "0s", "2h1d", "90", "1w", "-5m", "soon"]) {
      const { code, stderr } = await train("missing.ipynb", "--timeout", text, "--store", `file://${cwd}/store`);
      expect(code).toBe(2);
      const accepted = "seconds" in parseDuration(text);
      // Accepted: the command goes on and stops at the missing notebook instead.
      expect(stderr, text).toMatch(accepted ? /missing\.ipynb does not exist/ : /--timeout: /);
    }
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
    // A terminal that cannot redraw, and a person who asked for no color.
    const first = await trainOn({ tty: true, env: { ...process.env, TERM: "dumb", NO_COLOR: "1" } }, ...args);
    expect(first.stderr).not.toMatch(/nbtrain train:/);
    expect(first.code).toBe(0);
    const storeRoot = path.join(cwd, ".nbtrain");
    const runDir = path.join(storeRoot, "runs", "local", path.basename(cwd), "cli-run");

    const store = new FileStore(storeRoot);
    const prefix = `runs/local/${path.basename(cwd)}/cli-run/`;
    const result = (await readStoreJson(store, `${prefix}result.json`)) as any;
    // No redraws, no escape sequences; one cell count, the one result.json keeps.
    expect(first.stderr + first.stdout).not.toMatch(/[\r\x1b]/);
    const counted = [...first.stderr.matchAll(/^cell (\d+)\/(\d+) done/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(counted.length).toBe(result.cells_total);
    expect(counted.at(-1)).toEqual([result.cells_total, result.cells_total]);
    expect(first.stderr).toContain(`Running ${result.cells_total} cells on `);
    // The final table of metrics and plain paths.
    // Six significant digits: a loss of 0.7112075643548545 reads 0.711208.
    const shownValue = (value: unknown) => (typeof value === "number" && !Number.isInteger(value) ? String(Number(value.toPrecision(6))) : String(value));
    const metricRows = Object.entries(result.metrics).map(([name, value]) => new RegExp(`^  ${name} +${shownValue(value).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
    expect(Object.keys(result.metrics).length).toBeGreaterThan(0);
    expect(first.stdout).toMatch(new RegExp(`^Run cli-run completed in [\\d.]+ s: ${result.cells_executed}/${result.cells_total} cells ran\\.\n\n  metric +value\n`));
    for (const row of metricRows) expect(first.stdout).toMatch(row);
    expect(first.stdout).toContain(`\nOutput notebook ${runDir}/output.ipynb\nCheckpoints     ${runDir}/checkpoints/\nResult          ${runDir}/result.json\n`);
    expect(first.stdout).not.toContain("file:");
    expect(result.parameters).toMatchObject({ epochs: 3, lr: 0.5, seed: 3, hidden: 16, run_id: "cli-run", resume: false });
    expect(result.parameters).toMatchObject({ tag: "resnet", amp: true, decay: 0.001, quoted: "0.5", sizes: [64, 32], nothing: null, big: "inf" });
    expect(result.metrics.epochs).toBe(3);

    // A terminal that redraws and shows color: the bar counts the same cells.
    const second = await trainOn({ tty: true, env: { ...process.env, TERM: "xterm-256color", NO_COLOR: "" } }, ...args);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`\r\x1b[K${"█".repeat(24)} ${result.cells_total}/${result.cells_total} cells`);
    expect(second.stdout).toContain("\x1b[32mcompleted\x1b[0m");
    const resumed = (await readStoreJson(store, `${prefix}result.json`)) as any;
    expect(resumed).toMatchObject({ attempt: 2, resumed: true, status: "completed" });
    expect(resumed.metrics).toEqual(result.metrics);
  });

  it("exits 1 when the notebook fails and names the cell and the error", async () => {
    const { code, stderr, stdout } = await train(path.join(fixtures, "failing-cell.ipynb"), "--run", "fails", "--store", `file://${cwd}/s`);
    expect(code).toBe(1);
    expect(stderr).toContain("the notebook failed in cell 3: ValueError: boom 42");
    expect(stdout).toMatch(/^Run fails failed in [\d.]+ s: \d+\/\d+ cells ran\.$/m);
    expect(stdout).toContain(`Output notebook ${cwd}/s/`);
    expect(stdout.trim().split("\n").at(-1)).toMatch(/^Resume with: nbtrain train .*failing-cell\.ipynb --run fails --store file:\/\//);
  });

  it("prints its usage with --help", async () => {
    const { code, stdout } = await train("--help");
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: nbtrain train NOTEBOOK");
  });
});
