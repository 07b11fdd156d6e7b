import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgressReporter } from "../../src/runner/progress-reporter.js";
import { runSpecSchema } from "../../src/runner/run-spec.js";
import { runTraining } from "../../src/runner/run-training.js";
import { FileStore } from "../../src/storage/file-store.js";
import { bundle, NUMPY_EXAMPLE, readRunJson, repoRoot } from "./runner-harness.js";

let dir: string;
let store: FileStore;
let runnerJs: string;
let cliJs: string;
const children: ChildProcess[] = [];

const prefix = (runId: string) => `runs/acme/models/${runId}/`;
const silent = () => createProgressReporter(new Writable({ write: (_c, _e, done) => done() }));

function spec(runId: string, parameters: Record<string, unknown>, syncInterval = 0.2) {
  return runSpecSchema.parse({
    notebook: { path: NUMPY_EXAMPLE },
    parameters,
    store: `file://${dir}/store`,
    owner: "acme",
    repo: "models",
    run_id: runId,
    limits: { sync_interval_seconds: syncInterval },
  });
}

function startRunner(runSpec: unknown): { child: ChildProcess; exited: Promise<{ code: number | null; signal: string | null; stdout: string }> } {
  const child = spawn(process.execPath, [runnerJs], {
    env: { ...process.env, NBTRAIN_RUN_SPEC: JSON.stringify(runSpec) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", () => {});
  const exited = new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, stdout })),
  );
  return { child, exited };
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, seconds = 120): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function storedText(key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

/** The epoch saved inside the stored checkpoint that the latest manifest names, read with numpy. */
async function storedCheckpointEpoch(runId: string): Promise<number> {
  const manifest = await readRunJson(store, prefix(runId), "manifest.json");
  const file = path.join(dir, "store", prefix(runId), manifest.files[0].key);
  return Number(execFileSync("/usr/bin/python3", ["-c", "import numpy, sys; print(int(numpy.load(sys.argv[1])['epoch']))", file]).toString());
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-interrupt-"));
  store = new FileStore(path.join(dir, "store"));
  [runnerJs, cliJs] = await Promise.all([
    bundle(path.join(repoRoot, "src/runner/job-entry.ts"), "runner"),
    bundle(path.join(repoRoot, "test/runner/cli-entry.ts"), "cli"),
  ]);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
  await rm(path.dirname(runnerJs), { recursive: true, force: true });
  await rm(path.dirname(cliJs), { recursive: true, force: true });
});

// Each test starts two or three kernels; on a loaded 2-core machine that outlasts vitest's default.
const SLOW = 180_000;

describe("interrupted runs", () => {
  it("after kill -9 mid-run, the same run resumes from the last synced checkpoint and ends with the metrics of an uninterrupted run", async () => {
    const straight = await runTraining(spec("straight", { epochs: 20 }), { store, env: process.env, cwd: dir, progress: silent() });
    expect(straight.result.status).toBe("completed");

    // A runner killed with -9 cannot clean up its scratch folder, so it gets one inside the test's folder.
    const { child, exited } = startRunner({ ...spec("killed", { epochs: 20, epoch_delay: 0.6 }), work_dir: path.join(dir, "killed-work") });
    const synced = await until("two synced checkpoints", async () => {
      const manifest = await readRunJson(store, prefix("killed"), "manifest.json").catch(() => null);
      return manifest && manifest.sequence >= 2 ? manifest : null;
    });
    child.kill("SIGKILL");
    const { signal, stdout } = await exited;
    expect(signal).toBe("SIGKILL");
    // The shim notices its runner is gone and kills the kernel: no orphan keeps training.
    const kernelPid = stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line)).find((event) => event.event === "kernel")?.pid;
    expect(kernelPid).toBeGreaterThan(0);
    await until("the orphaned kernel to be gone", async () => !isAlive(kernelPid), 10);
    const afterKill = await readRunJson(store, prefix("killed"), "result.json");
    expect(afterKill.status).toBe("running"); // nothing got to report: a hard kill
    const killedAt = await storedCheckpointEpoch("killed");
    expect(killedAt).toBeGreaterThanOrEqual(2);
    expect(killedAt).toBeLessThan(20);

    // epoch_delay only paces the epochs (a sleep); the resumed attempt need not wait.
    const resumed = await runTraining(spec("killed", { epochs: 20, epoch_delay: 0 }), { store, env: process.env, cwd: dir, progress: silent() });
    expect(resumed.result.status).toBe("completed");
    expect(resumed.result.resumed).toBe(true);
    expect(resumed.result.attempt).toBe(2);
    expect(resumed.result.restored_sequence).toBeGreaterThanOrEqual(synced.sequence);
    const output = await storedText(`${prefix("killed")}output.ipynb`);
    const resumedFrom = Number(/Resuming from epoch (\d+)/.exec(output)?.[1]);
    expect(resumedFrom).toBeGreaterThanOrEqual(killedAt);
    expect(resumedFrom).toBeLessThan(20);
    // The epochs continued: the resumed attempt printed only the epochs after the checkpoint.
    expect(output).not.toMatch(/"epoch 1: loss/);
    expect(output).toContain(`epoch ${resumedFrom + 1}: loss`);

    expect(resumed.result.metrics).toEqual(straight.result.metrics);
    const epochs = (await storedText(`${prefix("killed")}metrics.jsonl`)).trim().split("\n").map((line) => JSON.parse(line).epoch);
    expect(epochs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  }, SLOW);

  it("on SIGTERM the final checkpoint reaches the store within the 30 s grace and the runner exits 143", async () => {
    // A long sync interval: whatever checkpoint is stored afterwards came from the final sync.
    const workDir = path.join(dir, "terminated-work");
    const { child, exited } = startRunner({ ...spec("terminated", { epochs: 500, epoch_delay: 0.25 }, 600), work_dir: workDir });
    await until("two epochs", async () => {
      const text = await readFile(path.join(workDir, "outputs", "metrics.jsonl"), "utf8").catch(() => "");
      return text.trim().split("\n").filter(Boolean).length >= 2;
    });
    const sentAt = Date.now();
    child.kill("SIGTERM");
    const { code } = await exited;
    const seconds = (Date.now() - sentAt) / 1000;
    expect(code).toBe(143);
    expect(seconds).toBeLessThan(30);

    const result = await readRunJson(store, prefix("terminated"), "result.json");
    expect(result.status).toBe("interrupted");
    const epoch = await storedCheckpointEpoch("terminated");
    const logged = (await storedText(`${prefix("terminated")}metrics.jsonl`)).trim().split("\n").map((line) => JSON.parse(line).epoch);
    expect(epoch).toBeGreaterThanOrEqual(1);
    // The checkpoint is the last epoch the kernel finished (its metrics line is written just before it).
    expect([logged.at(-1), logged.at(-1) - 1]).toContain(epoch);
    const output = JSON.parse(await storedText(`${prefix("terminated")}output.ipynb`));
    expect(output.cells[5].outputs.length).toBeGreaterThan(0);
  }, SLOW);

  it("Ctrl-C in nbtrain train syncs the checkpoints, exits 130 and says how to resume", async () => {
    const child = spawn(
      process.execPath,
      [cliJs, NUMPY_EXAMPLE, "--store", `file://${dir}/cli-store`, "--run", "ctrl-c", "-p", "epochs=500", "-p", "epoch_delay=1"],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    const cliStore = new FileStore(path.join(dir, "cli-store"));
    const runPrefix = `runs/local/${path.basename(dir)}/ctrl-c/`;
    await until("a synced checkpoint", async () => (await cliStore.head(`${runPrefix}manifest.json`)) !== null);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const result = await readRunJson(cliStore, runPrefix, "result.json");
    expect(result.status).toBe("interrupted");
    const manifest = await readRunJson(cliStore, runPrefix, "manifest.json");
    expect(manifest.files.map((file: { path: string }) => file.path)).toEqual(["state.npz"]);
    expect(stdout).toMatch(/^Run ctrl-c interrupted in [\d.]+ s: /m);
    expect(stdout).toContain(`Output notebook ${path.join(dir, "cli-store", runPrefix, "output.ipynb")}\n`);
    const last = stdout.trim().split("\n").at(-1)!;
    expect(last).toMatch(/^Resume with: nbtrain train .* --run ctrl-c --store file:\/\//);
  }, SLOW);
});
