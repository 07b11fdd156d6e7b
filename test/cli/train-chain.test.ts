import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { trainCommand } from "../../src/cli/train-command.js";
import { readStoreJson } from "../../src/runner/read-store-json.js";
import { FileStore } from "../../src/storage/file-store.js";
import { NUMPY_EXAMPLE, TORCH_EXAMPLE, trainLikeColab } from "../runner/runner-harness.js";

let cwd: string;
let store: FileStore;

async function train(...args: string[]) {
  const out = { stdout: "", stderr: "" };
  const sink = (name: "stdout" | "stderr") => new Writable({ write: (chunk, _e, done) => ((out[name] += String(chunk)), done()) });
  const code = await trainCommand([...args, "--store", `file://${cwd}/store`], { stdout: sink("stdout"), stderr: sink("stderr"), cwd, env: process.env });
  return { code, ...out };
}

const prefix = (runId: string) => `runs/local/${path.basename(cwd)}/${runId}/`;
const runJson = async (runId: string, key: string) => (await readStoreJson(store, `${prefix(runId)}${key}`)) as any;
async function storedText(key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

/** Every file under `dir` with its sha256, to show a source folder was left exactly as it was. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (sub: string) => {
    for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) await walk(rel);
      else out[rel] = createHash("sha256").update(await readFile(path.join(dir, rel))).digest("hex");
    }
  };
  await walk("");
  return out;
}

beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), "nbtrain-chain-"));
  store = new FileStore(path.join(cwd, "store"));
});

afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe("nbtrain train --budget: chained segments", { timeout: 300_000 }, () => {
  it("a notebook that needs three segments under a 20 s per-segment timeout completes through chaining, with the metrics of an uninterrupted run", async () => {
    const straight = await train(NUMPY_EXAMPLE, "--run", "straight", "-p", "epochs=42");
    expect(straight.code).toBe(0);
    // 42 epochs of at least 1 s each cannot fit in two 20 s segments: at least three are needed.
    // (20 s leaves room for a kernel start on a loaded machine; each segment still saves epochs.)
    const chained = await train(NUMPY_EXAMPLE, "--run", "chained", "-p", "epochs=42", "-p", "epoch_delay=1", "--timeout", "20s", "--budget", "15m");
    expect(chained.stderr).toContain("segment 1 timed out at checkpoint #");
    expect(chained.stderr).toContain("segment 2 timed out at checkpoint #");
    expect(chained.code).toBe(0);
    expect(chained.stdout).toMatch(/^Run chained completed in [\d.]+ s/u);
    const result = await runJson("chained", "result.json");
    expect(result.status).toBe("completed");
    expect(result.attempt).toBeGreaterThanOrEqual(3);
    expect(result.resumed).toBe(true);
    expect(result.metrics).toEqual((await runJson("straight", "result.json")).metrics);
    // Each epoch is logged once, though segments ended mid-epoch.
    const epochs = (await storedText(`${prefix("chained")}metrics.jsonl`)).trim().split("\n").map((line) => JSON.parse(line).epoch);
    expect(epochs).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
  });

  it("stops and says so when a segment saves no new checkpoint, instead of looping until the budget is spent", async () => {
    await writeFile(
      path.join(cwd, "no-checkpoints.ipynb"),
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
        cells: [{ id: "a", cell_type: "code", metadata: {}, source: "import time\ntime.sleep(600)", outputs: [], execution_count: null }],
      }),
    );
    const run = await train("no-checkpoints.ipynb", "--run", "stuck", "--timeout", "4s", "--budget", "10m");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("segment 1 ended timed-out at no checkpoint; not continuing: the segment saved no new checkpoint");
    expect(run.stderr).not.toContain("segment 2");
    const result = await runJson("stuck", "result.json");
    expect(result.status).toBe("timed-out");
    expect(result.attempt).toBe(1);
  });
});

describe("nbtrain train --from", { timeout: 300_000 }, () => {
  it("resumes from a folder that a plain Python process wrote with torch.save, as a Colab session would, and leaves that folder untouched", async () => {
    // Colab: the notebook's own code, run by plain Python for 3 epochs, saving to "MyDrive".
    const drive = path.join(cwd, "MyDrive", "digits");
    await mkdir(drive, { recursive: true });
    trainLikeColab(TORCH_EXAMPLE, drive, path.join(cwd, "colab-outputs"), cwd);
    expect(await readdir(drive)).toEqual(["checkpoint.pt"]);
    const before = await snapshot(drive);

    const straight = await train(TORCH_EXAMPLE, "--run", "straight", "-p", "epochs=6");
    expect(straight.code).toBe(0);
    const resumed = await train(TORCH_EXAMPLE, "--run", "from-colab", "-p", "epochs=6", "--from", "MyDrive/digits");
    expect(resumed.stderr).not.toMatch(/nbtrain train:/);
    expect(resumed.code).toBe(0);
    const output = await storedText(`${prefix("from-colab")}output.ipynb`);
    expect(output).toContain("Resuming from epoch 3");
    expect(output).not.toContain("epoch 3: loss");
    expect(output).toContain("epoch 4: loss");
    const result = await runJson("from-colab", "result.json");
    expect(result.resumed).toBe(true);
    expect(result.seeded_from).toMatchObject({ source: `file://${drive}`, files: 1 });
    expect(result.metrics).toEqual((await runJson("straight", "result.json")).metrics);
    // The copy is the run's own now: its manifest names a key under the run's prefix.
    const manifest = await runJson("from-colab", "manifest.json");
    expect(manifest.files.map((file: { path: string }) => file.path)).toEqual(["checkpoint.pt"]);
    // The source folder is exactly as the Colab process left it: no file added, none changed.
    expect(await snapshot(drive)).toEqual(before);
  });

  it("run:ID starts from another run's latest checkpoint and writes nothing under that run's prefix", async () => {
    expect((await train(NUMPY_EXAMPLE, "--run", "first", "-p", "epochs=4")).code).toBe(0);
    const firstPrefix = path.join(cwd, "store", prefix("first"));
    const before = await snapshot(firstPrefix);
    const second = await train(NUMPY_EXAMPLE, "--run", "second", "-p", "epochs=7", "--from", "run:first");
    expect(second.code).toBe(0);
    const output = await storedText(`${prefix("second")}output.ipynb`);
    expect(output).toContain("Resuming from epoch 4");
    expect(await snapshot(firstPrefix)).toEqual(before);
    const runs = await readdir(path.join(cwd, "store", "runs", "local", path.basename(cwd)));
    expect(runs.sort()).toEqual(["first", "second"]);
    // Its metrics history continues the first run's.
    const epochs = (await storedText(`${prefix("second")}metrics.jsonl`)).trim().split("\n").map((line) => JSON.parse(line).epoch);
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  const refusals: Array<[string, string[], RegExp]> = [
    ["a folder that does not exist", ["--from", "nowhere"], /--from "nowhere" is not a folder/],
    ["an s3 URI with ..", ["--from", "s3://bucket/a/../b"], /"\.\." segment/],
    ["a file URI with ..", ["--from", "file:///tmp/../etc"], /without '\.\.'/],
    ["a run id with ..", ["--from", "run:../x"], /from is run:RUN_ID/],
    ["a timeout longer than the budget", ["--timeout", "2h", "--budget", "1h"], /--timeout \(7200 s\) is longer than --budget \(3600 s\)/],
    ["a budget that is not a duration", ["--budget", "forever"], /--budget: "forever" is not a duration/],
  ];
  it.each(refusals)("refuses %s: exit 2, what to do, nothing written", async (_name, args, message) => {
    const { code, stderr } = await train(NUMPY_EXAMPLE, ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(existsSync(path.join(cwd, "store"))).toBe(false);
  });

  it("refuses run:ID when that run saved no checkpoint, before any of the new run is written", async () => {
    const { code, stderr } = await train(NUMPY_EXAMPLE, "--run", "orphan", "--from", "run:never-ran");
    expect(code).toBe(2);
    expect(stderr).toMatch(/--from run:never-ran: that run has no stored checkpoint/);
    expect(await store.head(`${prefix("orphan")}result.json`)).toBeNull();
  });
});
