import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobStateEvent, TrainJob } from "../../src/compute/compute.js";
import { detectGpuCount } from "../../src/compute/detect-gpu-count.js";
import { LocalCompute, type LocalComputeOptions } from "../../src/compute/local-compute.js";
import { processStartTime } from "../../src/compute/process-identity.js";
import { trainJob } from "./train-job-fixture.js";

const FAKE_RUNNER = join(import.meta.dirname, "../fixtures/compute/fake-runner.mjs");

let stateDir: string;
let markerDir: string;
const computes: LocalCompute[] = [];

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "nbtrain-local-"));
  markerDir = await mkdtemp(join(tmpdir(), "nbtrain-markers-"));
});

afterEach(async () => {
  await Promise.all(computes.splice(0).map((compute) => compute.close()));
  await rm(stateDir, { recursive: true, force: true });
  await rm(markerDir, { recursive: true, force: true });
});

interface Harness {
  compute: LocalCompute;
  events: JobStateEvent[];
  waitFor: (predicate: (event: JobStateEvent) => boolean, what: string) => Promise<JobStateEvent>;
}

/** A started LocalCompute running the fake runner, with every event recorded in order. */
async function harness(options: Partial<LocalComputeOptions> = {}): Promise<Harness> {
  const compute = new LocalCompute({
    stateDir,
    gpuCount: 0,
    graceMs: 500,
    runner: () => ({ command: process.execPath, args: [FAKE_RUNNER], env: { FAKE_RUNNER_DIR: markerDir } }),
    env: { PATH: process.env.PATH, HOME: "/home/bot", PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----", WEBHOOK_SECRET: "hunter2", GITHUB_TOKEN: "ghs_x", AWS_REGION: "us-east-1" },
    ...options,
  });
  computes.push(compute);
  const events: JobStateEvent[] = [];
  const waiters: { predicate: (event: JobStateEvent) => boolean; resolve: (event: JobStateEvent) => void }[] = [];
  compute.subscribe((event) => {
    events.push(event);
    for (const waiter of waiters.filter((w) => w.predicate(event))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  });
  await compute.start();
  const waitFor = (predicate: (event: JobStateEvent) => boolean, what: string) => {
    const seen = events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise<JobStateEvent>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; saw ${JSON.stringify(events.map((e) => [e.runId, e.status, e.attempt]))}`)), 20_000);
      waiters.push({ predicate, resolve: (event) => (clearTimeout(timer), resolve(event)) });
    });
  };
  return { compute, events, waitFor };
}

const job = (runId: string, parameters: TrainJob["parameters"] = {}, resources: Partial<TrainJob["resources"]> = {}): TrainJob => {
  const base = trainJob();
  return { ...base, runId, parameters, resources: { ...base.resources, ...resources } };
};

const is = (runId: string, status: JobStateEvent["status"], attempt?: number) => (event: JobStateEvent) =>
  event.runId === runId && event.status === status && (attempt === undefined || event.attempt === attempt);

async function marker(runId: string, attempt: number): Promise<{ pid: number; grandchild: number | null; envNames: string[]; cuda: string | null; parameters: unknown }> {
  const path = join(markerDir, `${runId}.${attempt}.json`);
  for (let i = 0; i < 400 && !existsSync(path); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
  return JSON.parse(await readFile(path, "utf8"));
}

function alive(pid: number): boolean {
  const start = processStartTime(pid);
  if (start === undefined) return false;
  return !/^\d+ \(.*\) [ZX] /.test(readProcStat(pid));
}

function readProcStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return "";
  }
}

describe("LocalCompute", () => {
  it("runs a job and emits queued, starting, running, succeeded in order", async () => {
    const { compute, events, waitFor } = await harness();
    const parameters = { lr: 0.01, name: "a b; rm -rf / $(id)", sleep_ms: 50 };
    await expect(compute.submit(job("c1", parameters))).resolves.toEqual({ backendJobId: "c1", existing: false });
    await waitFor(is("c1", "succeeded"), "c1 to succeed");
    expect(events.map((e) => [e.status, e.attempt])).toEqual([
      ["queued", 1],
      ["starting", 1],
      ["running", 1],
      ["succeeded", 1],
    ]);
    expect(events.at(-1)).toMatchObject({ runId: "c1", exitCode: 0, target: { owner: "octo-org", repo: "vision-models", pullNumber: 42, checkRunId: 987654321, installationId: 13579 } });
    const seen = await marker("c1", 1);
    expect(seen.parameters).toEqual(parameters);
    await expect(compute.status("c1")).resolves.toMatchObject({ status: "succeeded", attempt: 1, backendJobId: "c1" });
    const log = await readFile(join(stateDir, "logs/c1/attempt-1.log"), "utf8");
    expect(log).toContain("attempt 1 of c1 running");
  });

  it("gives the runner the job's environment and none of the server's secrets", async () => {
    const { compute, waitFor } = await harness();
    await compute.submit(job("c2"));
    await waitFor(is("c2", "succeeded"), "c2 to succeed");
    const { envNames } = await marker("c2", 1);
    expect(envNames).toEqual(expect.arrayContaining(["PATH", "HOME", "AWS_REGION", "NBTRAIN_RUN_ID", "NBTRAIN_PARAMETERS", "NBTRAIN_ATTEMPT", "NBTRAIN_STORE"]));
    expect(envNames).not.toContain("PRIVATE_KEY");
    expect(envNames).not.toContain("WEBHOOK_SECRET");
    expect(envNames).not.toContain("GITHUB_TOKEN");
  });

  it("reports a runner's own failure without retrying it", async () => {
    const { compute, events, waitFor } = await harness();
    await compute.submit(job("c3", { exit_code: 3 }));
    const failed = await waitFor(is("c3", "failed"), "c3 to fail");
    expect(failed).toMatchObject({ attempt: 1, exitCode: 3, reason: "the runner exited with code 3; see its log" });
    expect(events.filter((e) => e.runId === "c3" && e.status === "queued")).toHaveLength(1);
  });

  it("never runs more jobs at once than its slots, and fills them", async () => {
    const { compute, events, waitFor } = await harness({ concurrency: 2 });
    const ids = ["c11", "c12", "c13", "c14", "c15"];
    for (const id of ids) await compute.submit(job(id, { sleep_ms: 300 }));
    for (const id of ids) await waitFor(is(id, "succeeded"), `${id} to succeed`);
    let active = 0;
    let most = 0;
    for (const event of events) {
      if (event.status === "starting") active += 1;
      if (event.status === "succeeded") active -= 1;
      most = Math.max(most, active);
    }
    expect(most).toBe(2);
    // FIFO: runs start in the order they were submitted.
    expect(events.filter((e) => e.status === "starting").map((e) => e.runId)).toEqual(ids);
  });

  it("gives each concurrent job its own GPU", async () => {
    const { compute, waitFor } = await harness({ gpuCount: 2 });
    expect(compute.capacity).toBe(2);
    await compute.submit(job("c21", { sleep_ms: 400 }));
    await compute.submit(job("c22", { sleep_ms: 400 }));
    await waitFor(is("c21", "succeeded"), "c21");
    await waitFor(is("c22", "succeeded"), "c22");
    expect([(await marker("c21", 1)).cuda, (await marker("c22", 1)).cuda].sort()).toEqual(["0", "1"]);
    await expect(compute.submit(job("c23", {}, { gpus: 4 }))).rejects.toThrow(/asks for 4 GPUs; this machine has 2/);
  });

  it("submits a run id once: a repeated submit changes nothing", async () => {
    const { compute, events, waitFor } = await harness();
    await compute.submit(job("c31", { sleep_ms: 100 }));
    await expect(compute.submit(job("c31"))).resolves.toEqual({ backendJobId: "c31", existing: true });
    await waitFor(is("c31", "succeeded"), "c31");
    expect(events.filter((e) => e.status === "starting")).toHaveLength(1);
  });

  it("keeps the queue across a restart and re-runs the interrupted run as its next attempt", async () => {
    const first = await harness({ concurrency: 1 });
    await first.compute.submit(job("c41", { sleep_ms: 30_000, retry_sleep_ms: 50 }));
    await first.compute.submit(job("c42", { sleep_ms: 50 }));
    await first.compute.submit(job("c43", { sleep_ms: 50 }));
    await first.waitFor(is("c41", "running"), "c41 to run");
    const pid = (await marker("c41", 1)).pid;
    await first.compute.close();
    expect(alive(pid)).toBe(false);
    const persisted = (await readdir(join(stateDir, "queue"))).sort();
    expect(persisted).toEqual(["c41.json", "c42.json", "c43.json"]);

    const second = await harness({ concurrency: 1 });
    for (const id of ["c41", "c42", "c43"]) await second.waitFor(is(id, "succeeded"), `${id} to succeed after the restart`);
    expect(second.events[0]).toMatchObject({
      runId: "c41",
      status: "queued",
      attempt: 2,
      retryOf: { attempt: 1, reason: "the nbtrain server stopped while attempt 1 was running" },
    });
    expect(second.events.find(is("c41", "succeeded"))!.attempt).toBe(2);
    expect(second.events.filter((e) => e.status === "starting").map((e) => e.runId)).toEqual(["c41", "c42", "c43"]);
    await expect(second.compute.submit(job("c42"))).resolves.toEqual({ backendJobId: "c42", existing: true });
  });

  it("fails interrupted runs visibly when told to, and still runs the queue", async () => {
    const first = await harness({ concurrency: 1 });
    await first.compute.submit(job("c51", { sleep_ms: 30_000 }));
    await first.compute.submit(job("c52", { sleep_ms: 50 }));
    await first.waitFor(is("c51", "running"), "c51 to run");
    await first.compute.close();

    const second = await harness({ concurrency: 1, onRestart: "fail" });
    const failed = await second.waitFor(is("c51", "failed"), "c51 to fail");
    expect(failed.reason).toMatch(/server stopped while attempt 1 was running; .*Comment \/train again/);
    await second.waitFor(is("c52", "succeeded"), "c52 to succeed");
  });

  it("stops a runner that outlived a crashed server before re-running it", async () => {
    // A crash leaves a record saying "running" and a runner nobody watches.
    const orphan = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => process.exit(143)); console.log('ready'); setTimeout(() => {}, 60000)"], {
      detached: true,
      stdio: ["ignore", "pipe", "ignore"],
    });
    await new Promise((resolve) => orphan.stdout!.once("data", resolve));
    const record = {
      version: 1,
      seq: 0,
      job: job("c61", { sleep_ms: 50 }),
      status: "running",
      attempt: 1,
      pid: orphan.pid,
      pidStartTime: processStartTime(orphan.pid!),
      updatedAt: new Date().toISOString(),
    };
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(stateDir, "queue"), { recursive: true });
    await writeFile(join(stateDir, "queue/c61.json"), JSON.stringify(record));
    const exited = new Promise((resolve) => orphan.once("exit", (code, signal) => resolve(signal ?? code)));

    const { waitFor } = await harness();
    await expect(exited).resolves.toBe(143);
    const done = await waitFor(is("c61", "succeeded"), "c61 to succeed");
    expect(done.attempt).toBe(2);
  });

  it("cancels a queued run without starting it", async () => {
    const { compute, waitFor } = await harness({ concurrency: 1 });
    await compute.submit(job("c71", { sleep_ms: 30_000 }));
    await compute.submit(job("c72"));
    await expect(compute.cancel("c72", { reason: "by @octocat" })).resolves.toBe("cancelled");
    expect(await waitFor(is("c72", "cancelled"), "c72 cancelled")).toMatchObject({ reason: "cancelled: by @octocat" });
    await expect(compute.cancel("c72")).resolves.toBe("already-finished");
    await expect(compute.cancel("c404")).resolves.toBe("not-found");
    expect(existsSync(join(markerDir, "c72.1.json"))).toBe(false);
  });

  it("cancels a running run by killing its whole process group", async () => {
    const { compute, waitFor } = await harness();
    await compute.submit(job("c81", { sleep_ms: 30_000, spawn_grandchild: true }));
    await waitFor(is("c81", "running"), "c81 to run");
    const { pid, grandchild } = await marker("c81", 1);
    await compute.cancel("c81");
    const cancelled = await waitFor(is("c81", "cancelled"), "c81 cancelled");
    expect(cancelled.attempt).toBe(1);
    expect(alive(pid)).toBe(false);
    for (let i = 0; i < 40 && alive(grandchild!); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(alive(grandchild!)).toBe(false);
  });

  it("kills a runner that ignores SIGTERM once the grace period is over", async () => {
    const { compute, waitFor } = await harness({ graceMs: 300 });
    await compute.submit(job("c91", { sleep_ms: 30_000, ignore_sigterm: true }));
    await waitFor(is("c91", "running"), "c91 to run");
    const { pid } = await marker("c91", 1);
    await compute.cancel("c91");
    await waitFor(is("c91", "cancelled"), "c91 cancelled");
    expect(alive(pid)).toBe(false);
    expect(await readFile(join(stateDir, "logs/c91/attempt-1.log"), "utf8")).toContain("ignoring SIGTERM");
  });

  it("reports a runner killed with -9 and retries it as the next attempt", async () => {
    const { compute, events, waitFor } = await harness();
    await compute.submit(job("c101", { sleep_ms: 30_000, retry_sleep_ms: 50 }));
    await waitFor(is("c101", "running"), "c101 to run");
    process.kill((await marker("c101", 1)).pid, "SIGKILL");
    await waitFor(is("c101", "succeeded"), "c101 to succeed");
    expect(events.filter((e) => e.runId === "c101").map((e) => [e.status, e.attempt])).toEqual([
      ["queued", 1],
      ["starting", 1],
      ["running", 1],
      ["queued", 2],
      ["starting", 2],
      ["running", 2],
      ["succeeded", 2],
    ]);
    expect(events.find(is("c101", "queued", 2))!.retryOf).toEqual({ attempt: 1, reason: "the runner was killed by SIGKILL" });
  });

  it("fails a runner killed with -9 when no attempt is left, never leaving it running", async () => {
    const { compute, waitFor } = await harness({ attempts: 1 });
    await compute.submit(job("c111", { sleep_ms: 30_000 }));
    await waitFor(is("c111", "running"), "c111 to run");
    process.kill((await marker("c111", 1)).pid, "SIGKILL");
    const failed = await waitFor(is("c111", "failed"), "c111 to fail");
    expect(failed.reason).toBe("the runner was killed by SIGKILL, and all 1 attempts are used");
    await expect(compute.status("c111")).resolves.toMatchObject({ status: "failed" });
  });

  it("stops a run at its timeout", async () => {
    const { compute, waitFor } = await harness();
    await compute.submit(job("c121", { sleep_ms: 30_000 }, { timeoutSeconds: 1 }));
    const failed = await waitFor(is("c121", "failed"), "c121 to time out");
    expect(failed.reason).toMatch(/^timed out after 1s/);
  });

  it("fails a run whose runner cannot start, saying which command", async () => {
    const { compute, waitFor } = await harness({ runner: () => ({ command: join(markerDir, "no-such-runner"), args: [] }) });
    await compute.submit(job("c131"));
    const failed = await waitFor(is("c131", "failed"), "c131 to fail");
    expect(failed.reason).toMatch(/could not start the runner \(.*no-such-runner\): .*ENOENT/);
  });

  it("moves an unreadable queue file aside and loads the rest", async () => {
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(stateDir, "queue"), { recursive: true });
    await writeFile(join(stateDir, "queue/c141.json"), '{"version": 1, "seq": 0, "job": {"runId": "c141"}, "status": "que');
    const messages: string[] = [];
    const { compute, waitFor } = await harness({ log: (message) => messages.push(message) });
    await compute.submit(job("c142"));
    await waitFor(is("c142", "succeeded"), "c142");
    expect(messages.some((m) => m.includes("c141.json is unreadable"))).toBe(true);
    expect(existsSync(join(stateDir, "queue/c141.json.corrupt"))).toBe(true);
  });

  it("forgets finished runs after the retention period", async () => {
    const first = await harness();
    await first.compute.submit(job("c161"));
    await first.waitFor(is("c161", "succeeded"), "c161");
    await first.compute.close();
    const later = await harness({ clock: () => new Date(Date.now() + 15 * 86_400_000) });
    await expect(later.compute.status("c161")).resolves.toBeNull();
    expect(existsSync(join(stateDir, "queue/c161.json"))).toBe(false);
  });

  it("refuses work before start() and after close()", async () => {
    const compute = new LocalCompute({ stateDir, gpuCount: 0 });
    await expect(compute.submit(job("c151"))).rejects.toThrow(/call start\(\) first/);
    await compute.start();
    await compute.close();
    await expect(compute.submit(job("c151"))).rejects.toThrow(/closed/);
  });
});

describe("detectGpuCount", () => {
  it("counts the GPUs nvidia-smi lists", async () => {
    const listing = "GPU 0: NVIDIA A10G (UUID: GPU-1)\nGPU 1: NVIDIA A10G (UUID: GPU-2)\n";
    await expect(detectGpuCount(async () => listing)).resolves.toBe(2);
  });

  it("answers 0 when nvidia-smi is missing or fails", async () => {
    await expect(detectGpuCount(async () => Promise.reject(new Error("spawn nvidia-smi ENOENT")))).resolves.toBe(0);
  });
});
