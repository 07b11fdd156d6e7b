// npm run bench:resume: how much training a kill at a random moment costs, against the checkpoint interval.
//
// Each trial runs the numpy example through the real runner process (kernel, sync, file store), kills
// it with -9 at a random moment of its training, and compares what the kernel had finished with
// what the store's latest manifest holds. The baseline, measured in the same run, is the checkpoint
// interval (one epoch) and what a restart without checkpoints would lose (everything so far).
// A second set of trials sends SIGTERM and measures how long the final sync takes.
// A third set stops with notice (SIGTERM) the example that saves on interrupt, and measures the work
// lost against its checkpoint interval: what the kernel had computed since its last finished step.
// Last, a chained run (`nbtrain train --budget`) measures a segment boundary: from one segment's
// end to the next one's first cell.
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FileStore } from "../src/storage/file-store.js";
import { runLayout } from "../src/runs/run-layout.js";
import { readStoreJson } from "../src/runner/read-store-json.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const entrypoint = path.resolve(here, "../src/runner/job-entry.js");
const root = path.resolve(here, "../..");
const notebook = path.join(root, "templates", "notebooks", "train-spiral-numpy.ipynb");
const saveOnStop = path.join(root, "templates", "notebooks", "train-spiral-save-on-stop.ipynb");
const cli = path.resolve(here, "../../bin/nbtrain.js");
const NOTICE_TRIALS = Number(process.env.BENCH_NOTICE_TRIALS ?? 6);
const BATCHES_PER_EPOCH = 30; // 600 points, batch_size 20: one step is 1/30 of the checkpoint interval

const KILL_TRIALS = Number(process.env.BENCH_TRIALS ?? 6);
const TERM_TRIALS = 2;
const EPOCH_SECONDS = 1.5; // the notebook's epoch_delay: one checkpoint per epoch, so an interval is easy to see
const SYNC_SECONDS = 0.5;
const SEED = 20261127;

// A small seeded generator, so a rerun picks the same kill moments.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(SEED);

interface Trial {
  lostSeconds: number;
  lostEpochs: number;
  trainedSeconds: number;
  signalToExit?: number;
  finalIsLatest?: boolean;
}

async function runTrial(dir: string, index: number, signal: "SIGKILL" | "SIGTERM"): Promise<Trial> {
  const workDir = path.join(dir, `work-${index}`);
  const runId = `trial-${index}`;
  const spec = {
    notebook: { path: notebook },
    parameters: { epochs: 1000, epoch_delay: EPOCH_SECONDS },
    store: `file://${dir}/store`,
    owner: "bench",
    repo: "resume",
    run_id: runId,
    limits: { sync_interval_seconds: SYNC_SECONDS },
    work_dir: workDir,
  };
  const child = spawn(process.execPath, [entrypoint], { env: { ...process.env, NBTRAIN_RUN_SPEC: JSON.stringify(spec) }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let errors = "";
  let ended = false;
  child.stdout.on("data", (chunk) => (out += chunk));
  child.stderr.on("data", (chunk) => (errors += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code) => {
      ended = true;
      resolve(code);
    }),
  );
  // Wait for the training cell (the 4th code cell), then a random moment 2 to 6 epochs into it.
  while (!out.includes('"event":"cell_start","cell":4')) {
    if (ended) throw new Error(`The runner ended before training started:\n${out}${errors}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const trainingStart = Date.now();
  await new Promise((r) => setTimeout(r, (2 + random() * 4) * EPOCH_SECONDS * 1000));
  const killAt = Date.now();
  child.kill(signal);
  const code = await exited;
  const signalToExit = (Date.now() - killAt) / 1000;

  const metricsFile = path.join(workDir, "outputs", "metrics.jsonl");
  const lines = (await readFile(metricsFile, "utf8")).trim().split("\n");
  const localEpochs = JSON.parse(lines.at(-1)!).epoch as number;
  const lastEpochEnd = (await stat(metricsFile)).mtimeMs;
  const epochSeconds = (lastEpochEnd - trainingStart) / 1000 / localEpochs;

  const store = new FileStore(path.join(dir, "store"));
  const manifest = (await readStoreJson(store, runLayout.key({ owner: "bench", repo: "resume", runId }, "manifest"))) as { files: Array<{ key: string }> } | null;
  let storedEpoch = 0;
  if (manifest?.files[0]) {
    const file = path.join(dir, "store", "runs", "bench", "resume", runId, manifest.files[0].key);
    storedEpoch = Number(execFileSync("/usr/bin/python3", ["-c", "import numpy, sys; print(int(numpy.load(sys.argv[1])['epoch']))", file]).toString());
  }
  // Lost: the epoch in progress when the kill came, plus finished epochs the store did not have yet.
  const lostSeconds = (killAt - lastEpochEnd) / 1000 + (localEpochs - storedEpoch) * epochSeconds;
  const trial: Trial = { lostSeconds, lostEpochs: lostSeconds / epochSeconds, trainedSeconds: (killAt - trainingStart) / 1000 };
  if (signal === "SIGTERM") {
    trial.signalToExit = signalToExit;
    trial.finalIsLatest = code === 143 && storedEpoch >= localEpochs - 1;
  }
  return trial;
}

interface NoticeTrial {
  lostSeconds: number;
  lostIntervals: number;
  trainedSeconds: number;
  signalToExit: number;
  savedMidEpoch: boolean;
}

async function runNoticeTrial(dir: string, index: number): Promise<NoticeTrial> {
  const runId = `notice-${index}`;
  const spec = {
    notebook: { path: saveOnStop },
    parameters: { epochs: 1000, batch_size: 600 / BATCHES_PER_EPOCH, step_delay: EPOCH_SECONDS / BATCHES_PER_EPOCH },
    store: `file://${dir}/store`,
    owner: "bench",
    repo: "resume",
    run_id: runId,
    // No periodic sync worth the name: what is stored comes from the stop.
    limits: { sync_interval_seconds: 600 },
    work_dir: path.join(dir, `work-${runId}`),
  };
  const child = spawn(process.execPath, [entrypoint], { env: { ...process.env, NBTRAIN_RUN_SPEC: JSON.stringify(spec) }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let ended = false;
  child.stdout.on("data", (chunk) => (out += chunk));
  child.stderr.on("data", () => {});
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => ((ended = true), resolve(code))));
  while (!out.includes('"event":"cell_start","cell":4')) {
    if (ended) throw new Error(`The runner ended before training started:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const trainingStart = Date.now();
  await new Promise((r) => setTimeout(r, (2 + random() * 4) * EPOCH_SECONDS * 1000));
  const signalAt = Date.now();
  child.kill("SIGTERM");
  await exited;
  const signalToExit = (Date.now() - signalAt) / 1000;
  const store = new FileStore(path.join(dir, "store"));
  const manifest = (await readStoreJson(store, `runs/bench/resume/${runId}/manifest.json`)) as { files: Array<{ key: string }> } | null;
  if (!manifest?.files[0]) throw new Error(`No checkpoint stored for ${runId}`);
  const file = path.join(dir, "store", "runs", "bench", "resume", runId, manifest.files[0].key);
  const [epoch, batch, stepEndedAt] = execFileSync("/usr/bin/python3", ["-c", "import numpy, sys; s = numpy.load(sys.argv[1]); print(int(s['epoch']), int(s['batch']), float(s['step_ended_at']))", file])
    .toString()
    .trim()
    .split(" ")
    .map(Number) as [number, number, number];
  const steps = epoch * BATCHES_PER_EPOCH + batch;
  const epochSeconds = ((stepEndedAt * 1000 - trainingStart) / 1000 / steps) * BATCHES_PER_EPOCH;
  // Lost: what the kernel computed after its last finished step, up to the signal; a step that ended after the signal lost nothing.
  const lostSeconds = Math.max(0, signalAt / 1000 - stepEndedAt);
  return { lostSeconds, lostIntervals: lostSeconds / epochSeconds, trainedSeconds: (signalAt - trainingStart) / 1000, signalToExit, savedMidEpoch: batch > 0 };
}

/** One chained CLI run; returns the gaps between a segment's end and the next segment's first cell. */
async function measureSegmentBoundaries(dir: string): Promise<{ gaps: number[]; segments: number }> {
  const child = spawn(
    process.execPath,
    [cli, "train", notebook, "--store", `file://${dir}/chain-store`, "--run", "chain", "-p", "epochs=40", "-p", "epoch_delay=0.5", "--timeout", "20s", "--budget", "10m"],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  let progress = "";
  child.stderr.on("data", (chunk) => (progress += chunk));
  child.stdout.on("data", () => {});
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  if (code !== 0) throw new Error(`The chained run ended with ${code}:\n${progress.slice(-2000)}`);
  const events = progress
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { time: string; event: string });
  const gaps: number[] = [];
  let endedAt: number | null = null;
  let segments = 0;
  for (const event of events) {
    if (event.event === "finished") {
      endedAt = Date.parse(event.time);
      segments++;
    } else if (event.event === "cell_start" && endedAt !== null) {
      gaps.push((Date.parse(event.time) - endedAt) / 1000);
      endedAt = null;
    }
  }
  return { gaps, segments };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "nbtrain-bench-resume-"));
  try {
    console.log(`bench:resume: ${KILL_TRIALS} kill -9 trials and ${TERM_TRIALS} SIGTERM trials; epoch ≈ ${EPOCH_SECONDS} s + compute, sync scan every ${SYNC_SECONDS} s, seed ${SEED}`);
    const kills: Trial[] = [];
    for (let i = 0; i < KILL_TRIALS; i++) {
      const trial = await runTrial(dir, i, "SIGKILL");
      kills.push(trial);
      console.log(
        `  kill -9 #${i + 1}: after ${trial.trainedSeconds.toFixed(2)} s of training, lost ${trial.lostSeconds.toFixed(2)} s = ${trial.lostEpochs.toFixed(2)} checkpoint intervals (without checkpoints: ${trial.trainedSeconds.toFixed(2)} s)`,
      );
    }
    const worst = Math.max(...kills.map((t) => t.lostEpochs));
    const mean = kills.reduce((sum, t) => sum + t.lostEpochs, 0) / kills.length;
    const meanLost = kills.reduce((sum, t) => sum + t.lostSeconds, 0) / kills.length;
    const meanTrained = kills.reduce((sum, t) => sum + t.trainedSeconds, 0) / kills.length;
    console.log(`lost training per kill: mean ${mean.toFixed(2)}, worst ${worst.toFixed(2)} checkpoint intervals (bound: 1 interval + a scan and its confirming scan = ${(1 + (SYNC_SECONDS + 0.25) / EPOCH_SECONDS).toFixed(2)})`);
    console.log(`versus restarting without checkpoints: ${meanLost.toFixed(2)} s lost instead of ${meanTrained.toFixed(2)} s (${((meanLost / meanTrained) * 100).toFixed(0)}%)`);
    for (let i = 0; i < TERM_TRIALS; i++) {
      const trial = await runTrial(dir, KILL_TRIALS + i, "SIGTERM");
      console.log(
        `  SIGTERM #${i + 1}: exited ${trial.signalToExit!.toFixed(2)} s after the signal (grace 30 s), final checkpoint stored: ${trial.finalIsLatest ? "yes" : "NO"}, lost ${trial.lostEpochs.toFixed(2)} intervals`,
      );
    }
    console.log(`stop with notice: ${NOTICE_TRIALS} SIGTERM trials on the save-on-stop example (${BATCHES_PER_EPOCH} steps per checkpoint interval)`);
    const notices: NoticeTrial[] = [];
    for (let i = 0; i < NOTICE_TRIALS; i++) {
      const trial = await runNoticeTrial(dir, i);
      notices.push(trial);
      console.log(
        `  SIGTERM with notice #${i + 1}: after ${trial.trainedSeconds.toFixed(2)} s of training, lost ${trial.lostSeconds.toFixed(3)} s = ${(trial.lostIntervals * 100).toFixed(2)} % of an interval; saved mid-epoch: ${trial.savedMidEpoch ? "yes" : "at a boundary"}; exited ${trial.signalToExit.toFixed(2)} s after the signal`,
      );
    }
    const noticeMean = notices.reduce((sum, t) => sum + t.lostIntervals, 0) / notices.length;
    const noticeWorst = Math.max(...notices.map((t) => t.lostIntervals));
    console.log(
      `lost training per stop with notice: mean ${(noticeMean * 100).toFixed(2)} %, worst ${(noticeWorst * 100).toFixed(2)} % of a checkpoint interval (goal < 5 %), against kill -9: mean ${(mean * 100).toFixed(0)} %, worst ${(worst * 100).toFixed(0)} % (≤ 1 interval)`,
    );
    const { gaps, segments } = await measureSegmentBoundaries(dir);
    const sorted = [...gaps].sort((a, b) => a - b);
    console.log(
      `segment boundary (nbtrain train --budget, ${segments} segments of at most 20 s): from a segment's end to the next one's first cell ${gaps.map((g) => g.toFixed(2)).join(", ")} s; median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)} s`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
