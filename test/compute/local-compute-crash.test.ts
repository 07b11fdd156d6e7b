import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { build } from "esbuild";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { JobStateEvent } from "../../src/compute/compute.js";
import { LocalCompute } from "../../src/compute/local-compute.js";
import { processStartTime } from "../../src/compute/process-identity.js";
import { trainJob } from "./train-job-fixture.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/compute");
let work: string;
const leftovers: number[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "nbtrain-crash-"));
  // The server runs as its own Node process, so it is bundled from TypeScript first.
  await build({
    entryPoints: [join(FIXTURES, "crash-server.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: join(work, "crash-server.mjs"),
    logLevel: "silent",
  });
});

afterAll(async () => {
  // Only if an assertion failed half-way: never leave a 60-second sleeper behind.
  for (const pid of leftovers) if (alive(pid)) process.kill(pid, "SIGKILL");
  await rm(work, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  if (processStartTime(pid) === undefined) return false;
  return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 800; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it("resumes a run after the server is killed with -9 mid-run, and completes it", async () => {
  const stateDir = join(work, "state");
  const markerDir = await mkdtemp(join(work, "markers-"));
  const base = trainJob();
  const job = { ...base, runId: "c900", parameters: { sleep_ms: 60_000, retry_sleep_ms: 50 } };

  const server = spawn(process.execPath, [join(work, "crash-server.mjs"), stateDir, join(FIXTURES, "fake-runner.mjs"), markerDir, JSON.stringify(job)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const before: JobStateEvent[] = [];
  createInterface({ input: server.stdout! }).on("line", (line) => before.push(JSON.parse(line)));
  leftovers.push(server.pid!);
  const serverExit = new Promise((resolve) => server.once("exit", (code, signal) => resolve(signal ?? code)));

  const markerPath = join(markerDir, "c900.1.json");
  await until(() => (before.some((e) => e.status === "running") && existsSync(markerPath) ? true : undefined), "the run to be running");
  const runnerPid = JSON.parse(await readFile(markerPath, "utf8")).pid as number;
  leftovers.push(runnerPid);
  server.kill("SIGKILL");
  await expect(serverExit).resolves.toBe("SIGKILL");
  // The runner is in its own process group and outlives the server: nobody watches it now.
  expect(alive(runnerPid)).toBe(true);
  expect(before.map((e) => e.status)).toEqual(["queued", "starting", "running"]);

  const restarted = new LocalCompute({
    stateDir,
    gpuCount: 0,
    graceMs: 5_000,
    runner: () => ({ command: process.execPath, args: [join(FIXTURES, "fake-runner.mjs")], env: { FAKE_RUNNER_DIR: markerDir } }),
  });
  const after: JobStateEvent[] = [];
  restarted.subscribe((event) => {
    after.push(event);
  });
  try {
    await restarted.start();
    expect(alive(runnerPid)).toBe(false);
    await until(() => after.find((e) => e.status === "succeeded"), "the resumed run to succeed");
    expect(after.map((e) => [e.status, e.attempt])).toEqual([
      ["queued", 2],
      ["starting", 2],
      ["running", 2],
      ["succeeded", 2],
    ]);
    expect(after[0]!.retryOf).toEqual({ attempt: 1, reason: "the nbtrain server stopped while attempt 1 was running" });
    const log = await readFile(join(stateDir, "logs/c900/attempt-1.log"), "utf8");
    expect(log).toContain("got SIGTERM, saving a checkpoint");
  } finally {
    await restarted.close();
  }
});
