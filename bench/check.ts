/**
 * `npm run bench:check`: throughput of validation + lint against two baselines measured in the same run,
 * and peak memory on a generated 100 MB notebook.
 *
 * - engine: `checkNotebook(path, bytes)`, which decodes, parses, validates, lints and locates findings;
 * - floor: UTF-8 decode + `JSON.parse` of the same bytes (the engine cannot beat parsing);
 * - reference: nbformat 5.5 (`reads(text, as_version=NO_CONVERT)` + `isvalid`) under /usr/bin/python3,
 *   timed inside Python so interpreter start-up is not counted.
 *
 * Whole-process start-up, as a pre-commit hook or CI step pays it: `nbtrain check` on one small
 * notebook against `node -e 0`, and on handson-ml3 against a Node process that only reads and
 * `JSON.parse`s the same files; interleaved runs, medians of per-run ratios.
 *
 * Goals: engine >= 0.7x the floor, >= 4x the reference; peak memory growth <= 4x the file size;
 * start-up within 1.5x of `node -e 0` (small notebook) and 1.3x of read + parse (handson-ml3).
 * Options: --runs N (default 5), --memory-runs N (default 3), --startup-runs N (default 21),
 * --startup-only, --profile (print where the engine spends its time; printed anyway for a sample
 * that misses a throughput goal).
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import { checkNotebook } from "../src/notebook/check-notebook.js";

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/check.js; the source sits in bench/. Both are found from the repo root.
const repoRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");
const corpusRoot = path.resolve(repoRoot, "../shared/corpus");
const PYTHON = "/usr/bin/python3";
const MB = 1024 * 1024;

interface Sample {
  name: string;
  files: Array<{ path: string; bytes: Uint8Array }>;
  totalBytes: number;
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at === -1 ? NaN : Number(process.argv[at + 1]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function findIpynb(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findIpynb(full));
    else if (entry.name.endsWith(".ipynb")) out.push(full);
  }
  return out;
}

function loadSample(name: string, dir: string): Sample {
  const files = findIpynb(dir).map((file) => ({ path: file, bytes: new Uint8Array(readFileSync(file)) }));
  return { name, files, totalBytes: files.reduce((sum, f) => sum + f.bytes.length, 0) };
}

const decoder = new TextDecoder("utf-8");

/** One pass of the floor: the cheapest way from bytes to a parsed value. */
function floorPass(sample: Sample): void {
  for (const file of sample.files) {
    try {
      JSON.parse(decoder.decode(file.bytes));
    } catch {
      // Invalid files cost their parse attempt, as they do in the engine.
    }
  }
}

/** The decoding share of the floor, printed so that a reader sees what JSON.parse itself costs. */
function decodePass(sample: Sample): void {
  for (const file of sample.files) sink += decoder.decode(file.bytes).length;
}

let sink = 0;
function enginePass(sample: Sample): void {
  for (const file of sample.files) sink += checkNotebook(file.path, file.bytes).findings.length;
}

function timed(pass: () => void): number {
  const start = performance.now();
  pass();
  return (performance.now() - start) / 1000;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** Samples the CPU during a few engine passes and prints the functions with the most self time. */
async function printProfile(sample: Sample, passes: number): Promise<void> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    for (let i = 0; i < passes; i++) enginePass(sample);
    const { profile } = (await session.post("Profiler.stop")) as unknown as {
      profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    };
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const self = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, i) => {
      const frame = nodes.get(id)!.callFrame;
      const where = frame.url ? `${frame.url.replace(/^.*\/dist\//, "")}:${frame.lineNumber + 1}` : "";
      const key = `${frame.functionName || "(anonymous)"} ${where}`.trim();
      const delta = profile.timeDeltas[i] ?? 0;
      self.set(key, (self.get(key) ?? 0) + delta);
      total += delta;
    });
    console.log(`  where checkNotebook spends its time (self time, ${passes} passes):`);
    for (const [key, time] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
      console.log(`    ${fmt((time / total) * 100).padStart(5)}%  ${key.length > 150 ? `${key.slice(0, 150)}…` : key}`);
    }
    console.log("");
  } finally {
    session.disconnect();
  }
}

const PYTHON_TIMER = String.raw`
import json, sys, time
import nbformat
from nbformat.validator import isvalid
paths = json.load(open(sys.argv[1]))
blobs = [open(p, "rb").read() for p in paths]
def one_pass():
    valid = 0
    for blob in blobs:
        try:
            nb = nbformat.reads(blob.decode("utf-8"), as_version=nbformat.NO_CONVERT)
            valid += bool(isvalid(nb))
        except Exception:
            pass
    return valid
one_pass()  # warm-up: fastjsonschema compiles its validators on first use
t = time.perf_counter(); valid = one_pass(); elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "valid": valid}))
`;

async function writeFileList(sample: Sample, scratch: string): Promise<string> {
  const list = path.join(scratch, `${sample.name.replace(/\W+/g, "-")}.json`);
  await writeFile(list, JSON.stringify(sample.files.map((f) => f.path)));
  return list;
}

/** One timed pass of nbformat in a fresh interpreter, after an untimed warm-up pass. */
function referencePass(list: string): number {
  const result = spawnSync(PYTHON, ["-c", PYTHON_TIMER, list], { encoding: "utf8", maxBuffer: 16 * MB });
  if (result.status !== 0) {
    throw new Error(`the reference validator failed (${PYTHON} with nbformat is required: apt-get install python3-nbformat):\n${result.stderr}`);
  }
  return (JSON.parse(result.stdout) as { seconds: number }).seconds;
}

/** A 100 MB notebook shaped like a real training notebook: code cells with plot outputs as base64 PNG. */
async function writeLargeNotebook(file: string, targetBytes: number): Promise<number> {
  const out = createWriteStream(file);
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await once(out, "drain");
  };
  let seed = 12345;
  const random = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  await write('{\n "cells": [\n');
  let written = 0;
  for (let i = 0; written < targetBytes; i++) {
    // PNG-sized payloads of incompressible bytes, 20-120 KB each, like matplotlib figures.
    const image = Buffer.alloc(20_000 + Math.floor(random() * 100_000));
    for (let k = 0; k < image.length; k += 4) image.writeUInt32LE((random() * 2 ** 32) >>> 0, Math.min(k, image.length - 4));
    const cell = {
      cell_type: "code",
      execution_count: i + 1,
      id: `c${i.toString(16).padStart(6, "0")}`,
      metadata: { tags: i % 10 === 0 ? ["parameters"] : [] },
      outputs: [
        { name: "stdout", output_type: "stream", text: [`epoch ${i}: loss=${random().toFixed(4)} acc=${random().toFixed(4)}\n`] },
        { data: { "image/png": image.toString("base64"), "text/plain": ["<Figure size 640x480 with 1 Axes>"] }, metadata: {}, output_type: "display_data" },
      ],
      source: [`history = model.fit(X_train, y_train, epochs=1)\n`, `plt.plot(history.history["loss"])\n`, "plt.show()"],
    };
    const text = `${i === 0 ? "" : ",\n"}${JSON.stringify(cell, null, 1)}`;
    await write(text);
    written += text.length;
  }
  await write(
    '\n ],\n "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}, "language_info": {"name": "python"}},\n "nbformat": 4,\n "nbformat_minor": 5\n}\n',
  );
  out.end();
  await once(out, "finish");
  return statSync(file).size;
}

/** Child mode: baseline RSS after start-up, then read + check one file, then report peak RSS growth. */
function measureMemoryInChild(file: string): void {
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  // A Buffer is a Uint8Array; wrapping it in new Uint8Array() would copy 100 MB and skew the figure.
  const bytes: Uint8Array = readFileSync(file);
  const report = checkNotebook(file, bytes);
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ baseline, peak, valid: report.valid, findings: report.findings.length }));
}

function measureMemory(file: string): { growth: number; valid: boolean } {
  const result = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--memory-child", file], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`memory child failed:\n${result.stderr}`);
  const { baseline, peak, valid } = JSON.parse(result.stdout) as { baseline: number; peak: number; valid: boolean };
  return { growth: peak - baseline, valid };
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

const READ_AND_PARSE = String.raw`
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
  entry.isDirectory() ? walk(path.join(dir, entry.name)) : entry.name.endsWith(".ipynb") ? [path.join(dir, entry.name)] : []);
let keys = 0;
for (const file of walk(process.argv[2])) {
  try { keys += Object.keys(JSON.parse(readFileSync(file, "utf8"))).length; } catch {}
}
`;

/** Wall-clock milliseconds of one whole process, its output discarded. */
function processMs(args: string[]): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = performance.now() - start;
  if (run.status !== 0 && run.status !== 1) throw new Error(`node ${args.join(" ")} exited ${run.status}:\n${run.stderr}`);
  return ms;
}

/** Interleaved runs of a baseline and a candidate; the median of the per-run ratios. */
function startupRatio(baseline: string[], candidate: string[], runs: number): { base: number; cand: number; ratio: number } {
  processMs(baseline);
  processMs(candidate);
  const bases: number[] = [];
  const cands: number[] = [];
  for (let i = 0; i < runs; i++) {
    bases.push(processMs(baseline));
    cands.push(processMs(candidate));
  }
  return { base: median(bases), cand: median(cands), ratio: median(cands.map((c, i) => c / bases[i]!)) };
}

/** Whole-process start-up of `nbtrain check`; returns whether both goals were met. */
async function startup(scratch: string): Promise<boolean> {
  const runs = option("--startup-runs", 21);
  const bin = path.join(repoRoot, "bin/nbtrain.js");
  const small = path.join(repoRoot, "templates/notebooks/train-spiral-numpy.ipynb");
  const handson = path.join(corpusRoot, "handson-ml3");
  const parser = path.join(scratch, "read-and-parse.mjs");
  await writeFile(parser, READ_AND_PARSE);
  console.log(`start-up, whole process (medians of ${runs} interleaved runs each; node ${process.version})`);
  const one = startupRatio(["-e", "0"], [bin, "check", small], runs);
  console.log(`  one small notebook: nbtrain check ${fmt(one.cand)} ms, node -e 0 ${fmt(one.base)} ms`);
  console.log(`    ratio ${fmt(one.ratio, 2)}x  (goal <= 1.5x) ${one.ratio <= 1.5 ? "ok" : "MISSED"}`);
  const big = startupRatio([parser, handson], [bin, "check", handson], runs);
  console.log(`  handson-ml3: nbtrain check ${fmt(big.cand)} ms, read + JSON.parse ${fmt(big.base)} ms`);
  console.log(`    ratio ${fmt(big.ratio, 2)}x  (goal <= 1.3x) ${big.ratio <= 1.3 ? "ok" : "MISSED"}\n`);
  return one.ratio <= 1.5 && big.ratio <= 1.3;
}

async function main(): Promise<void> {
  if (process.argv.includes("--startup-only")) {
    const scratch = await mkdtemp(path.join(os.tmpdir(), "nbtrain-bench-"));
    try {
      if (!(await startup(scratch))) console.log("Some goals were missed (see MISSED above).");
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    return;
  }
  const runs = option("--runs", 5);
  const memoryRuns = option("--memory-runs", 3);
  const samples = [loadSample("whole corpus", corpusRoot), loadSample("handson-ml3", path.join(corpusRoot, "handson-ml3"))];
  const scratch = await mkdtemp(path.join(os.tmpdir(), "nbtrain-bench-"));
  let failed = false;
  try {
    failed ||= !(await startup(scratch));
    console.log(`nbtrain check benchmark: medians of ${runs} interleaved runs after a warm-up (node ${process.version})\n`);
    for (const sample of samples) {
      const list = await writeFileList(sample, scratch);
      floorPass(sample);
      enginePass(sample);
      // The three are interleaved run by run, so that load from other processes hits them alike;
      // the ratios are medians of per-run ratios.
      const floors: number[] = [];
      const engines: number[] = [];
      const references: number[] = [];
      const decodes: number[] = [];
      for (let i = 0; i < runs; i++) {
        decodes.push(timed(() => decodePass(sample)));
        floors.push(timed(() => floorPass(sample)));
        engines.push(timed(() => enginePass(sample)));
        references.push(referencePass(list));
      }
      const mbs = (seconds: number): number => sample.totalBytes / MB / seconds;
      const [floor, engine, reference] = [median(floors), median(engines), median(references)];
      const vsFloor = median(floors.map((f, i) => f / engines[i]!));
      const vsReference = median(references.map((r, i) => r / engines[i]!));
      console.log(`${sample.name}: ${sample.files.length} notebooks, ${fmt(sample.totalBytes / MB)} MB`);
      console.log(`  validation + lint (checkNotebook)   ${fmt(mbs(engine)).padStart(7)} MB/s  (${fmt(engine * 1000)} ms)`);
      console.log(`  floor: decode + JSON.parse          ${fmt(mbs(floor)).padStart(7)} MB/s  (${fmt(floor * 1000)} ms)`);
      console.log(`    of which UTF-8 decode alone       ${fmt(mbs(median(decodes))).padStart(7)} MB/s  (${fmt(median(decodes) * 1000)} ms)`);
      console.log(`  reference: nbformat reads+isvalid   ${fmt(mbs(reference)).padStart(7)} MB/s  (${fmt(reference * 1000)} ms)`);
      console.log(`  ratio vs JSON.parse   ${fmt(vsFloor, 2)}x  (goal >= 0.70x) ${vsFloor >= 0.7 ? "ok" : "MISSED"}`);
      console.log(`  ratio vs reference    ${fmt(vsReference, 2)}x  (goal >= 4x)    ${vsReference >= 4 ? "ok" : "MISSED"}\n`);
      failed ||= vsFloor < 0.7 || vsReference < 4;
      if (process.argv.includes("--profile") || vsFloor < 0.7 || vsReference < 4) await printProfile(sample, 3);
    }
    if (sink < 0) console.log(sink);

    const big = path.join(scratch, "large.ipynb");
    const size = await writeLargeNotebook(big, 100 * MB);
    const growths: number[] = [];
    for (let i = 0; i < memoryRuns; i++) {
      const { growth, valid } = measureMemory(big);
      if (!valid) throw new Error("the generated 100 MB notebook should be valid; the benchmark's generator is broken");
      growths.push(growth);
    }
    const growth = median(growths);
    const ratio = growth / size;
    console.log(`peak memory, ${fmt(size / MB)} MB generated notebook (fresh process, median of ${memoryRuns})`);
    console.log(`  peak RSS growth ${fmt(growth / MB)} MB = ${fmt(ratio, 2)}x the file size  (goal <= 4x) ${ratio <= 4 ? "ok" : "MISSED"}`);
    failed ||= ratio > 4;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (failed) console.log("\nSome goals were missed (see MISSED above).");
}

if (process.argv[2] === "--memory-child") measureMemoryInChild(process.argv[3]!);
else await main();
