// npm run bench:segments: the cost of a segment boundary on the local backend, the gap a --budget
// chain pays each time a segment reaches its timeout. Real LocalCompute, real runner processes
// (dist/src/runner/job-entry.js), real kernels and a file store; GitHub is left out, so this is the
// backend's own part: the runner's final sync and result, the job's end event, the next submit,
// the next runner's start, its restore of the earlier run's checkpoint, and its kernel start.
// Measured from the earlier segment's result.json finished_at to the next segment's first cell.
// The baseline, in the same run, is a fresh run's start: its submit to its first cell.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TrainJob } from "../src/compute/compute.js";
import { LocalCompute } from "../src/compute/local-compute.js";
import { nextSegmentRunId } from "../src/commands/derive-run-id.js";
import { RunRegistry } from "../src/runs/run-registry.js";
import { FileStore } from "../src/storage/file-store.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const entry = path.resolve(here, "../src/runner/job-entry.js");
const notebookPath = path.join(root, "templates", "notebooks", "train-spiral-numpy.ipynb");
const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 4);
const SEGMENT_SECONDS = Number(process.env.BENCH_SEGMENT_SECONDS ?? 20);

async function firstCellAt(logFile: string): Promise<number | null> {
  const text = await readFile(logFile, "utf8").catch(() => "");
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    const event = JSON.parse(line) as { time?: string; event?: string };
    if (event.event === "cell_start" && event.time) return Date.parse(event.time);
  }
  return null;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "nbtrain-bench-segments-"));
  const store = new FileStore(path.join(dir, "store"));
  const registry = new RunRegistry(store);
  const compute = new LocalCompute({ stateDir: path.join(dir, "local"), runner: () => ({ command: process.execPath, args: [entry], cwd: dir }), concurrency: 1, attempts: 1 });
  const bytes = await readFile(notebookPath);
  const job = (runId: string, from?: string): TrainJob => ({
    runId,
    repo: { owner: "bench", name: "segments" },
    pullNumber: 1,
    headSha: "0".repeat(40),
    checkRunId: 1,
    installationId: 1,
    notebook: "train-spiral-numpy.ipynb",
    parameters: { epochs: 1000, epoch_delay: 0.5 },
    resources: { gpuType: "cpu", gpus: 1, vcpus: 1, memoryMiB: 1024, timeoutSeconds: SEGMENT_SECONDS, spot: false, queue: "local", jobDefinition: "local" },
    storeUri: `file://${path.join(dir, "store")}`,
    ...(from ? { from } : {}),
  });
  const logOf = (runId: string) => path.join(dir, "local", "logs", runId, "attempt-1.log");
  const gaps: number[] = [];
  let startGap = 0;
  try {
    await compute.start();
    let runId = "c1";
    const ended = new Map<string, () => void>();
    compute.subscribe(async (event) => {
      if (["succeeded", "failed", "cancelled"].includes(event.status)) ended.get(event.runId)?.();
    });
    for (let segment = 1; segment <= SEGMENTS; segment++) {
      await registry.stageNotebook({ owner: "bench", repo: "segments", runId }, bytes);
      const done = new Promise<void>((resolve) => ended.set(runId, resolve));
      const submittedAt = Date.now();
      // What reportJobEvent does on a timed-out segment with budget left: submit the next, from the earlier run.
      await compute.submit(job(runId, segment === 1 ? undefined : `run:${previousOf(runId)}`));
      await done;
      const first = await firstCellAt(logOf(runId));
      if (segment === 1) startGap = ((first ?? submittedAt) - submittedAt) / 1000;
      else {
        const before = (await registry.readResult("bench", "segments", previousOf(runId))) as { finished_at: string } | null;
        if (first && before?.finished_at) gaps.push((first - Date.parse(before.finished_at)) / 1000);
      }
      const result = (await registry.readResult("bench", "segments", runId)) as { status: string; checkpoint_sequence: number | null };
      console.log(`  segment ${segment} (${runId}): ${result.status}, checkpoint #${result.checkpoint_sequence}`);
      runId = nextSegmentRunId(runId).runId;
    }
  } finally {
    await compute.close();
    await rm(dir, { recursive: true, force: true });
  }
  const sorted = [...gaps].sort((a, b) => a - b);
  console.log(`bench:segments: ${SEGMENTS} segments of ${SEGMENT_SECONDS} s on the local backend (numpy example)`);
  console.log(`  baseline, a fresh run from submit to its first cell: ${startGap.toFixed(2)} s`);
  console.log(`  segment boundary, one segment's result to the next one's first cell: ${gaps.map((g) => g.toFixed(2)).join(", ")} s; median ${sorted[Math.floor((sorted.length - 1) / 2)]?.toFixed(2)} s (${(sorted[Math.floor((sorted.length - 1) / 2)]! / startGap).toFixed(2)} × the fresh start)`);
}

function previousOf(runId: string): string {
  const match = /^(.*)-s(\d+)$/u.exec(runId)!;
  return Number(match[2]) === 2 ? match[1]! : `${match[1]}-s${Number(match[2]) - 1}`;
}

await main();
