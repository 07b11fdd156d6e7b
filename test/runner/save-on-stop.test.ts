import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgressReporter } from "../../src/runner/progress-reporter.js";
import { runSpecSchema } from "../../src/runner/run-spec.js";
import { runTraining } from "../../src/runner/run-training.js";
import { FileStore } from "../../src/storage/file-store.js";
import { bundle, readRunJson, repoRoot, SAVE_ON_STOP_EXAMPLE } from "./runner-harness.js";

let dir: string;
let store: FileStore;
let runnerJs: string;
const children: ChildProcess[] = [];
const prefix = (runId: string) => `runs/acme/models/${runId}/`;
const silent = () => createProgressReporter(new Writable({ write: (_c, _e, done) => done() }));

function spec(notebook: string, runId: string, parameters: Record<string, unknown>, limits: Record<string, number> = {}) {
  return runSpecSchema.parse({
    notebook: { path: notebook },
    parameters,
    store: `file://${dir}/store`,
    owner: "acme",
    repo: "models",
    run_id: runId,
    limits: { sync_interval_seconds: 600, ...limits },
  });
}

function startRunner(runSpec: unknown) {
  const child = spawn(process.execPath, [runnerJs], { env: { ...process.env, NBTRAIN_RUN_SPEC: JSON.stringify(runSpec) }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", () => {});
  const exited = new Promise<{ code: number | null; stdout: string }>((resolve) => child.once("close", (code) => resolve({ code, stdout })));
  return { child, exited, stdout: () => stdout };
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, seconds = 120): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function storedText(key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

/** Epoch and batch inside the checkpoint the latest manifest names, read with numpy. */
async function storedPosition(runId: string): Promise<{ epoch: number; batch: number }> {
  const manifest = await readRunJson(store, prefix(runId), "manifest.json");
  const file = path.join(dir, "store", prefix(runId), manifest.files.find((f: { path: string }) => f.path === "state.npz").key);
  const [epoch, batch] = execFileSync("/usr/bin/python3", ["-c", "import numpy, sys; s = numpy.load(sys.argv[1]); print(int(s['epoch']), int(s['batch']))", file])
    .toString()
    .trim()
    .split(" ")
    .map(Number);
  return { epoch: epoch!, batch: batch! };
}

function codeNotebook(cells: string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
    cells: cells.map((source, index) => ({ id: `c${index}`, cell_type: "code", metadata: index === 0 ? { tags: ["parameters"] } : {}, source, outputs: [], execution_count: null })),
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-save-on-stop-"));
  store = new FileStore(path.join(dir, "store"));
  runnerJs = await bundle(path.join(repoRoot, "src/runner/job-entry.ts"), "runner");
  // Polls nbtrain.stop_requested() between steps, saves its step and ends the cell by itself.
  await writeFile(
    path.join(dir, "polling.ipynb"),
    codeNotebook([
      'checkpoint_dir = "checkpoints"\noutput_dir = "outputs"\nrun_id = "manual"\nresume = False',
      "import os, time\nfrom nbtrain import stop_requested, stop_grace_seconds\nstep = 0\nwhile step < 100000:\n    if stop_requested():\n        with open(os.path.join(checkpoint_dir, 'step.txt'), 'w') as f:\n            f.write(str(step))\n        print(f'saved at step {step} with {stop_grace_seconds()} s of grace')\n        break\n    step += 1\n    time.sleep(0.02)",
      "print('the cell after the stop ran')",
    ]),
  );
  // Swallows every KeyboardInterrupt: only the kill after the grace ends it.
  await writeFile(
    path.join(dir, "stubborn.ipynb"),
    codeNotebook([
      'checkpoint_dir = "checkpoints"\noutput_dir = "outputs"\nrun_id = "manual"\nresume = False',
      "import os, time\nopen(os.path.join(checkpoint_dir, 'started'), 'w').close()\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n        print('ignoring the interrupt')",
    ]),
  );
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
  if (runnerJs) await rm(path.dirname(runnerJs), { recursive: true, force: true });
});

const SLOW = 180_000;

describe("stop with notice", () => {
  it("SIGTERM mid-epoch: the example notebook saves inside the epoch, and the resumed run repeats at most that epoch and ends as an uninterrupted run", async () => {
    const parameters = { epochs: 6, batch_size: 50 };
    const straight = await runTraining(spec(SAVE_ON_STOP_EXAMPLE, "straight", parameters), { store, env: process.env, cwd: dir, progress: silent() });
    expect(straight.result.status).toBe("completed");

    // The sync interval is 600 s: whatever checkpoint is stored afterwards came from the stop.
    const workDir = path.join(dir, "stopped-work");
    const { child, exited } = startRunner({ ...spec(SAVE_ON_STOP_EXAMPLE, "stopped", { ...parameters, step_delay: 0.08 }), work_dir: workDir });
    await until("two epochs", async () => {
      const text = await readFile(path.join(workDir, "outputs", "metrics.jsonl"), "utf8").catch(() => "");
      return text.trim().split("\n").filter(Boolean).length >= 2;
    });
    // About half an epoch (12 batches of 0.08 s) later: mid-epoch.
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill("SIGTERM");
    const { code } = await exited;
    expect(code).toBe(143);

    const result = await readRunJson(store, prefix("stopped"), "result.json");
    expect(result.status).toBe("interrupted");
    expect(result.stop).toMatchObject({ reason: "interrupted", cell_interrupted: true, killed_after_grace: false, polling: false });
    const saved = await storedPosition("stopped");
    const output = await storedText(`${prefix("stopped")}output.ipynb`);
    // The except KeyboardInterrupt branch ran and its checkpoint is the one stored.
    expect(output).toContain(`Stopped in epoch ${saved.epoch + 1} after batch ${saved.batch}; saved`);
    expect(saved.epoch).toBeGreaterThanOrEqual(2);
    expect(saved.epoch).toBeLessThan(6);
    // The stored metrics match the checkpoint: one line per finished epoch.
    const storedEpochs = (await storedText(`${prefix("stopped")}metrics.jsonl`)).trim().split("\n").map((line) => JSON.parse(line).epoch);
    expect(storedEpochs).toEqual(Array.from({ length: saved.epoch }, (_, i) => i + 1));

    const resumed = await runTraining(spec(SAVE_ON_STOP_EXAMPLE, "stopped", parameters), { store, env: process.env, cwd: dir, progress: silent() });
    expect(resumed.result.status).toBe("completed");
    const after = await storedText(`${prefix("stopped")}output.ipynb`);
    expect(after).toContain(`Resuming in epoch ${saved.epoch + 1} at batch ${saved.batch}`);
    // Only the interrupted epoch (from its saved batch) and the ones after it ran again.
    const rerun = [...after.matchAll(/epoch (\d+): loss/g)].map((match) => Number(match[1]));
    expect(rerun[0]).toBe(saved.epoch + 1);
    expect(resumed.result.metrics).toEqual(straight.result.metrics);
    const epochs = (await storedText(`${prefix("stopped")}metrics.jsonl`)).trim().split("\n").map((line) => JSON.parse(line).epoch);
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
  }, SLOW);

  it("a notebook that polls nbtrain.stop_requested() ends its cell by itself, is not interrupted, and no further cell runs", async () => {
    const controller = new AbortController();
    const run = runTraining(spec(path.join(dir, "polling.ipynb"), "polling", {}, { stop_grace_seconds: 8 }), {
      store,
      env: process.env,
      cwd: dir,
      progress: createProgressReporter(
        new Writable({
          write(chunk, _e, done) {
            // Stop once the polling cell is running.
            if (String(chunk).includes('"event":"cell_start","cell":2')) setTimeout(() => controller.abort(), 300);
            done();
          },
        }),
      ),
      signal: controller.signal,
    });
    const { result } = await run;
    expect(result.status).toBe("interrupted");
    expect(result.stop).toMatchObject({ polling: true, cell_interrupted: false, killed_after_grace: false, grace_seconds: 8 });
    const output = await storedText(`${prefix("polling")}output.ipynb`);
    expect(output).toMatch(/saved at step \d+ with 8(\.0)? s of grace/);
    // The cell after the polling one never started: no outputs, no execution count.
    const last = JSON.parse(output).cells.at(-1);
    expect(last.outputs).toEqual([]);
    expect(last.execution_count).toBeNull();
    const manifest = await readRunJson(store, prefix("polling"), "manifest.json");
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual(["step.txt"]);
  }, SLOW);

  it("a cell that ignores the interrupt is killed when the grace (NBTRAIN_STOP_GRACE) runs out, and the run still ends interrupted", async () => {
    const controller = new AbortController();
    const workDir = path.join(dir, "stubborn-work");
    const run = runTraining({ ...spec(path.join(dir, "stubborn.ipynb"), "stubborn", {}), work_dir: workDir }, {
      store,
      env: { ...process.env, NBTRAIN_STOP_GRACE: "1.5" },
      cwd: dir,
      progress: silent(),
      signal: controller.signal,
    });
    await until("the stubborn cell", async () => (await readFile(path.join(workDir, "checkpoints", "started")).catch(() => null)) !== null);
    controller.abort();
    const { result } = await run;
    expect(result.status).toBe("interrupted");
    expect(result.stop).toMatchObject({ cell_interrupted: true, killed_after_grace: true, grace_seconds: 1.5 });
    expect(await storedText(`${prefix("stubborn")}output.ipynb`)).toContain("ignoring the interrupt");
  }, SLOW);
});
