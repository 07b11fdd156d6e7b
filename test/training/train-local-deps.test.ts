import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { AwsBatchCompute } from "../../src/compute/aws-batch-compute.js";
import { LocalCompute } from "../../src/compute/local-compute.js";
import { loadTrainDeps } from "../../src/app/load-train-deps.js";
import { runJob } from "../../src/runner/run-job.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "nbtrain-train-deps-"));
  dirs.push(dir);
  return dir;
}
const noLog = () => {};

describe("loadTrainDeps (npm start's training backend)", () => {
  it("defaults to the local backend with the file store under .nbtrain/", async () => {
    const cwd = tempDir();
    const train = await loadTrainDeps({}, cwd, noLog);
    expect(train!.compute).toBeInstanceOf(LocalCompute);
    expect(train!.storeUri).toBe(`file://${path.join(cwd, ".nbtrain")}`);
    expect(train!.readLogTail).toBeTypeOf("function");
    expect(train!.start).toBeTypeOf("function");
  });

  it("uses AWS Batch when NBTRAIN_COMPUTE=aws-batch, and is off when asked", async () => {
    const cwd = tempDir();
    const batch = await loadTrainDeps({ NBTRAIN_COMPUTE: "aws-batch", AWS_REGION: "eu-west-1", NBTRAIN_BATCH_QUEUES: "a, b", NBTRAIN_STORE: "s3://bucket/prefix" }, cwd, noLog).catch((error: Error) => error);
    // An S3 store needs no network to open; the SDK client is made on first use.
    expect(batch instanceof Error ? batch.message : "").toBe("");
    expect((batch as { compute: unknown }).compute).toBeInstanceOf(AwsBatchCompute);
    expect(await loadTrainDeps({ NBTRAIN_COMPUTE: "off" }, cwd, noLog)).toBeNull();
  });

  it("refuses an invalid environment, naming the variable to fix", async () => {
    const cwd = tempDir();
    await expect(loadTrainDeps({ NBTRAIN_COMPUTE: "aws-batch" }, cwd, noLog)).rejects.toThrow("Invalid training settings: AWS_REGION is required with NBTRAIN_COMPUTE=aws-batch");
    await expect(loadTrainDeps({ NBTRAIN_COMPUTE: "aws-batch", AWS_REGION: "x", NBTRAIN_BATCH_QUEUES: "q" }, cwd, noLog)).rejects.toThrow("NBTRAIN_STORE must be an s3:// or gdrive:// store");
    await expect(loadTrainDeps({ NBTRAIN_COMPUTE: "kubernetes" }, cwd, noLog)).rejects.toThrow(/NBTRAIN_COMPUTE/u);
    await expect(loadTrainDeps({ NBTRAIN_LOCAL_CONCURRENCY: "0" }, cwd, noLog)).rejects.toThrow(/NBTRAIN_LOCAL_CONCURRENCY/u);
  });
});

describe("runJob with no arguments (the local backend's job process)", () => {
  function io(env: Record<string, string>, cwd: string) {
    const stderr = new PassThrough();
    let text = "";
    stderr.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    return { io: { stdout: new PassThrough(), stderr, env, cwd, signal: new AbortController().signal }, err: () => text };
  }
  const env = (store: string) => ({
    NBTRAIN_RUN_ID: "c42",
    NBTRAIN_REPO: "octo/repo",
    NBTRAIN_NOTEBOOK: "nb/train.ipynb",
    NBTRAIN_PARAMETERS: '{"lr":0.1}',
    NBTRAIN_STORE: store,
    NBTRAIN_ATTEMPT: "1",
  });

  it("exits 2 on an environment it was not started with, saying which variable", async () => {
    const cwd = tempDir();
    const { io: streams, err } = io({ ...env(`file://${cwd}`), NBTRAIN_PARAMETERS: "[1,2]" }, cwd);
    expect(await runJob([], streams)).toBe(2);
    expect(err()).toContain("invalid NBTRAIN_PARAMETERS: not a JSON object of scalars");
    const missing = io({ NBTRAIN_REPO: "octo/repo" }, cwd);
    expect(await runJob([], missing.io)).toBe(2);
    expect(missing.err()).toContain("invalid NBTRAIN_RUN_ID");
  });

  it("exits 2 when the staged notebook is not in the store, writing nothing", async () => {
    const cwd = tempDir();
    const { io: streams, err } = io(env(`file://${cwd}`), cwd);
    expect(await runJob([], streams)).toBe(2);
    expect(err()).toContain("cannot read the staged notebook runs/octo/repo/c42/input.ipynb");
  });
});
