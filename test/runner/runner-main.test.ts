import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runnerMain } from "../../src/runner/runner-main.js";
import { readStoreJson } from "../../src/runner/read-store-json.js";
import { FileStore } from "../../src/storage/file-store.js";
import { fixtures, NUMPY_EXAMPLE } from "./runner-harness.js";

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), "nbtrain-main-"));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv = {}) {
  const out = { stdout: "", stderr: "" };
  const sink = (name: "stdout" | "stderr") =>
    new Writable({
      write(chunk, _e, done) {
        out[name] += String(chunk);
        done();
      },
    });
  return { out, io: { stdout: sink("stdout"), stderr: sink("stderr"), env: { ...process.env, ...env }, cwd, signal: new AbortController().signal } };
}

const baseSpec = () => ({
  notebook: { path: NUMPY_EXAMPLE },
  parameters: { epochs: 2 },
  store: `file://${cwd}/store`,
  owner: "acme",
  repo: "models",
  run_id: "job-1",
  limits: { sync_interval_seconds: 0.2 },
});

describe("runnerMain", { timeout: 180_000 }, () => {
  it("runs a spec given as a file, takes the attempt from AWS_BATCH_JOB_ATTEMPT and exits 0", async () => {
    await writeFile(path.join(cwd, "spec.json"), JSON.stringify(baseSpec()));
    const { out, io: runIo } = io({ AWS_BATCH_JOB_ATTEMPT: "3" });
    expect(await runnerMain([path.join(cwd, "spec.json")], runIo)).toBe(0);
    const result = (await readStoreJson(new FileStore(path.join(cwd, "store")), "runs/acme/models/job-1/result.json")) as any;
    expect(result).toMatchObject({ status: "completed", attempt: 3 });
    expect(JSON.parse(out.stdout.trim().split("\n").at(-1)!)).toMatchObject({ event: "result", status: "completed" });
  });

  it("runs a notebook passed as base64 bytes, as a Batch job receives it", async () => {
    const { readFile } = await import("node:fs/promises");
    const spec = { ...baseSpec(), notebook: { name: "train.ipynb", base64: (await readFile(NUMPY_EXAMPLE)).toString("base64") } };
    const { io: runIo } = io({ NBTRAIN_RUN_SPEC: JSON.stringify(spec) });
    expect(await runnerMain([], runIo)).toBe(0);
  });

  it.each([
    ["no spec at all", undefined, /No run spec/],
    ["a spec that is not JSON", "{", /cannot read the run spec/],
    ["a run id that climbs out of its folder", JSON.stringify({ ...baseSpec(), run_id: "../other" }), /invalid run spec at run_id/],
    ["a parameter overriding checkpoint_dir", JSON.stringify({ ...baseSpec(), parameters: { checkpoint_dir: "/" } }), /checkpoint_dir is set by nbtrain/],
    ["an unknown field", JSON.stringify({ ...baseSpec(), gpu: "a10g" }), /invalid run spec/],
    ["an invalid notebook", JSON.stringify({ ...baseSpec(), notebook: { path: path.join(fixtures, "broken.ipynb") } }), /cannot run: nbtrain check found/],
  ])("refuses %s with exit 2 and writes nothing", async (_name, specText, message) => {
    const { out, io: runIo } = io(specText === undefined ? { NBTRAIN_RUN_SPEC: "" } : { NBTRAIN_RUN_SPEC: specText });
    expect(await runnerMain([], runIo)).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(await readdir(cwd)).toEqual([]);
  });
});
