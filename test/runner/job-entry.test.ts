import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFunctions } from "../../scripts/lib/build-functions.js";
import { AwsBatchCompute } from "../../src/compute/aws-batch-compute.js";
import { runnerEnvironment } from "../../src/compute/runner-environment.js";
import { jobFromEnv } from "../../src/runner/job-from-env.js";
import { runJob } from "../../src/runner/run-job.js";
import { FileStore } from "../../src/storage/file-store.js";
import { trainJob } from "../compute/train-job-fixture.js";
import { NUMPY_EXAMPLE, readRunJson, repoRoot } from "./runner-harness.js";

// The interpreter with nbclient, ipykernel and numpy (see the brief); a missing one fails the run loudly.
const PYTHON = "/usr/bin/python3";
const RUN_ID = "c2468013579";
const PREFIX = `runs/octo-org/vision-models/${RUN_ID}/`;

let dir: string;
let storeRoot: string;
let runnerBin: string;

/** The environment Batch gives the container: exactly what AwsBatchCompute submits, plus what Batch adds. */
function batchEnvironment(store: string): Record<string, string> {
  const job = trainJob({ storeUri: store, notebook: "notebooks/train-spiral-numpy.ipynb", parameters: { epochs: 3, hidden: 16 } });
  const input = new AwsBatchCompute({ region: "us-east-1", queues: [job.resources.queue] }).submitJobInput(job);
  // The image's ENTRYPOINT gets no arguments: nothing may replace or extend it.
  expect(input.containerOverrides).not.toHaveProperty("command");
  const submitted = Object.fromEntries(input.containerOverrides!.environment!.map(({ name, value }) => [name!, value!]));
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    NBTRAIN_PYTHON: PYTHON, // the image's Dockerfile sets it too
    ...submitted,
    AWS_BATCH_JOB_ID: "4b2f1a52-0000-4000-8000-000000000002",
    AWS_BATCH_JOB_ATTEMPT: "2",
    AWS_BATCH_JQ_NAME: job.resources.queue,
  };
}

/** Runs the built `nbtrain-runner` as the container would: no arguments, the environment only. */
function runContainerEntry(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [runnerBin], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function stored(): Promise<string[]> {
  return existsSync(path.join(storeRoot, PREFIX)) ? (await readdir(path.join(storeRoot, PREFIX), { recursive: true })).sort() : [];
}

beforeAll(async () => {
  execFileSync(PYTHON, ["-c", "import nbclient, ipykernel, nbformat, numpy"], { stdio: "pipe" });
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-job-entry-"));
  storeRoot = path.join(dir, "store");
  // The bot stages the notebook at the PR head SHA before it submits the job.
  await new FileStore(storeRoot).put(`${PREFIX}input.ipynb`, readFileSync(NUMPY_EXAMPLE));
  const { runner } = await buildFunctions(repoRoot, path.join(dir, "dist"));
  runnerBin = runner.entry;
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("nbtrain-runner, the runner image's entrypoint, as AWS Batch starts it", () => {
  it("is the bundle the build writes for the image", () => {
    expect(runnerBin).toBe(path.join(dir, "dist/runner-image/bin/nbtrain-runner.mjs"));
    expect(readFileSync(runnerBin, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("trains the staged notebook from the NBTRAIN_* environment and writes result.json for Batch's attempt 2", async () => {
    const { code, stdout, stderr } = await runContainerEntry(batchEnvironment(`file://${storeRoot}`));
    expect(code, stderr).toBe(0);
    const result = await readRunJson(new FileStore(storeRoot), PREFIX, "result.json");
    expect(result).toMatchObject({ run_id: RUN_ID, status: "completed", attempt: 2, parameters: { epochs: 3, hidden: 16 } });
    expect(result.metrics_points).toBe(3);
    expect(Object.keys(result.metrics).length).toBeGreaterThan(0);
    expect(await stored()).toEqual(expect.arrayContaining(["input.ipynb", "output.ipynb", "result.json", "metrics.jsonl", "manifest.json"]));
    const last = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(last).toMatchObject({ event: "result", status: "completed" });
  }, 240_000);

  it.each([
    ["NBTRAIN_RUN_ID", undefined, "invalid NBTRAIN_RUN_ID: not set"],
    ["NBTRAIN_PARAMETERS", "lr=0.1", "invalid NBTRAIN_PARAMETERS: not a JSON object of scalars"],
    ["AWS_BATCH_JOB_ATTEMPT", "0", "invalid AWS_BATCH_JOB_ATTEMPT"],
    ["NBTRAIN_REPO", "../etc", "invalid NBTRAIN_REPO"],
  ])("exits 2 without touching the store when %s is %s", async (name, value, message) => {
    const emptyStore = path.join(dir, `empty-${name}`);
    const env = batchEnvironment(`file://${emptyStore}`);
    if (value === undefined) delete env[name];
    else env[name] = value;
    const { code, stderr } = await runContainerEntry(env);
    expect(code).toBe(2);
    expect(stderr).toContain(`nbtrain runner: ${message}`);
    expect(existsSync(emptyStore)).toBe(false);
  }, 60_000);

  it("exits 2 naming the store key when the staged notebook is missing", async () => {
    const env = { ...batchEnvironment(`file://${storeRoot}`), NBTRAIN_RUN_ID: "c1357" };
    const { code, stderr } = await runContainerEntry(env);
    expect(code).toBe(2);
    expect(stderr).toContain("cannot read the staged notebook runs/octo-org/vision-models/c1357/input.ipynb");
  }, 60_000);
});

describe("jobFromEnv", () => {
  const base = { NBTRAIN_RUN_ID: "c42", NBTRAIN_REPO: "octo/repo", NBTRAIN_NOTEBOOK: "nb/train.ipynb", NBTRAIN_PARAMETERS: '{"lr":0.1}' };
  let staged: string;
  beforeAll(async () => {
    staged = path.join(dir, "staged");
    await new FileStore(staged).put("runs/octo/repo/c42/input.ipynb", Buffer.from("{}"));
  });

  it("numbers the attempt from NBTRAIN_ATTEMPT (local), else AWS_BATCH_JOB_ATTEMPT (Batch), else 1", async () => {
    const store = `file://${staged}`;
    expect((await jobFromEnv({ ...base, NBTRAIN_STORE: store }, dir)).attempt).toBe(1);
    expect((await jobFromEnv({ ...base, NBTRAIN_STORE: store, AWS_BATCH_JOB_ATTEMPT: "3" }, dir)).attempt).toBe(3);
    expect((await jobFromEnv({ ...base, NBTRAIN_STORE: store, NBTRAIN_ATTEMPT: "2", AWS_BATCH_JOB_ATTEMPT: "3" }, dir)).attempt).toBe(2);
  });

  it("builds the spec with the staged notebook, the parameters and a timeout that leaves time to sync", async () => {
    const spec = await jobFromEnv({ ...base, NBTRAIN_STORE: `file://${staged}`, NBTRAIN_TIMEOUT_SECONDS: "7200" }, dir);
    expect(spec).toEqual({
      notebook: { name: "train.ipynb", base64: Buffer.from("{}").toString("base64") },
      parameters: { lr: 0.1 },
      store: `file://${staged}`,
      owner: "octo",
      repo: "repo",
      run_id: "c42",
      attempt: 1,
      limits: { timeout_seconds: 7170 },
    });
  });

  it("carries the repository's source settings from runnerEnvironment into the spec's source", async () => {
    const job = trainJob({ runId: "c42", repo: { owner: "octo", name: "repo" }, notebook: "nb/train.ipynb", storeUri: `file://${staged}`, source: { requirements: "root", lfs: true } });
    const spec = await jobFromEnv({ ...runnerEnvironment(job), NBTRAIN_JOB_SOURCE: "archive", NBTRAIN_GITHUB_API_URL: "https://ghe.example/api/v3" }, dir);
    expect(spec.source).toEqual({ kind: "github", sha: job.headSha, path: "nb/train.ipynb", requirements: "root", lfs: true, api_url: "https://ghe.example/api/v3" });
    // Left out, they are off and false; anything else is refused, naming the variable.
    const plain = await jobFromEnv({ ...runnerEnvironment({ ...job, source: undefined }), NBTRAIN_JOB_SOURCE: "archive" }, dir);
    expect(plain.source).toMatchObject({ requirements: "off", lfs: false });
    await expect(jobFromEnv({ ...runnerEnvironment(job), NBTRAIN_LFS: "yes" }, dir)).rejects.toThrow(/invalid NBTRAIN_LFS/u);
    await expect(jobFromEnv({ ...runnerEnvironment(job), NBTRAIN_REQUIREMENTS: "all" }, dir)).rejects.toThrow(/invalid NBTRAIN_REQUIREMENTS/u);
  });

  it("runs a given spec as it is: runJob reads the spec file argument, not the environment", async () => {
    const stderr = new PassThrough();
    let text = "";
    stderr.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    const io = { stdout: new PassThrough(), stderr, env: { ...base }, cwd: dir, signal: new AbortController().signal };
    expect(await runJob([path.join(dir, "no-such-spec.json")], io)).toBe(2);
    expect(text).toContain("cannot read the run spec");
    expect(text).not.toContain("NBTRAIN_STORE");
  });
});
