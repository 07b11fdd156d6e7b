import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, writeFile, copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProgressReporter } from "../../src/runner/progress-reporter.js";
import { runSpecSchema, type RunSpecInput } from "../../src/runner/run-spec.js";
import { runTraining } from "../../src/runner/run-training.js";
import { FileStore } from "../../src/storage/file-store.js";
import { fixtures, NUMPY_EXAMPLE, readRunJson, TORCH_EXAMPLE } from "./runner-harness.js";

let dir: string;
let store: FileStore;
let log: string[];

function quietProgress() {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      log.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return createProgressReporter(sink);
}

function spec(input: Partial<RunSpecInput> & { notebook: RunSpecInput["notebook"] }) {
  return runSpecSchema.parse({
    store: `file://${dir}/store`,
    owner: "acme",
    repo: "models",
    run_id: "run-1",
    limits: { sync_interval_seconds: 0.2 },
    ...input,
  });
}

const prefix = (runId = "run-1") => `runs/acme/models/${runId}/`;

async function readStoreText(key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-run-"));
  store = new FileStore(path.join(dir, "store"));
  log = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Real kernels: generous limits, since a loaded 2-core CI machine starts them slowly.
describe("runTraining on a real kernel", { timeout: 180_000 }, () => {
  it("runs the numpy example to completion and stores result.json with its metrics, the output and the checkpoint", async () => {
    const { result } = await runTraining(spec({ notebook: { path: NUMPY_EXAMPLE }, parameters: { epochs: 4 } }), {
      store,
      env: process.env,
      cwd: dir,
      progress: quietProgress(),
    });
    expect(result.status).toBe("completed");
    const stored = await readRunJson(store, prefix(), "result.json");
    expect(stored).toEqual(result);
    expect(stored.metrics).toMatchObject({ epochs: 4 });
    expect(stored.metrics.accuracy).toBeGreaterThan(0.4);
    expect(stored.metrics.loss).toBeGreaterThan(0);
    expect(stored.metrics_points).toBe(4);
    expect(stored.cells_total).toBe(5);
    expect(stored.cells_executed).toBe(5);
    expect(stored.attempt).toBe(1);
    expect(stored.resumed).toBe(false);
    expect(stored.python).toBe("/usr/bin/python3");

    const manifest = await readRunJson(store, prefix(), "manifest.json");
    expect(manifest.files.map((file: { path: string }) => file.path)).toEqual(["state.npz"]);
    expect(manifest.sequence).toBe(result.checkpoint_sequence);
    const objects = (await store.list(`${prefix()}checkpoints/`)).map((object) => object.key);
    expect(objects).toContain(`${prefix()}${manifest.files[0].key}`);

    const lines = (await readStoreText(`${prefix()}metrics.jsonl`)).trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((line) => line.epoch)).toEqual([1, 2, 3, 4]);
    expect(lines[3].accuracy).toBe(stored.metrics.accuracy);

    const output = JSON.parse(await readStoreText(`${prefix()}output.ipynb`));
    const injected = output.cells.find((cell: any) => cell.metadata.tags?.includes("injected-parameters"));
    expect(injected).toBeDefined();
    expect(output.cells.indexOf(injected)).toBe(2); // right after the parameters cell
    expect(output.metadata.nbtrain.parameters).toMatchObject({ epochs: 4, run_id: "run-1", resume: false });
    const printed = output.cells.at(-1).outputs.map((o: any) => o.text).join("");
    expect(printed).toContain("final: loss");
    expect(log.some((line) => JSON.parse(line).event === "cell_done")).toBe(true);
  });

  it("runs the PyTorch example for two epochs and reports its metrics", async () => {
    const { result } = await runTraining(spec({ notebook: { path: TORCH_EXAMPLE }, parameters: { epochs: 2 }, run_id: "torch" }), {
      store,
      env: process.env,
      cwd: dir,
      progress: quietProgress(),
    });
    expect(result.failure).toBeNull();
    expect(result.status).toBe("completed");
    const stored = await readRunJson(store, prefix("torch"), "result.json");
    expect(stored.metrics.epochs).toBe(2);
    expect(stored.metrics.accuracy).toBeGreaterThan(0.5);
    expect(stored.metrics_points).toBe(2);
    const manifest = await readRunJson(store, prefix("torch"), "manifest.json");
    expect(manifest.files.map((file: { path: string }) => file.path)).toEqual(["checkpoint.pt"]);
  });

  it("resumes a finished run from its checkpoint instead of training again", async () => {
    const run = () =>
      runTraining(spec({ notebook: { path: NUMPY_EXAMPLE }, parameters: { epochs: 3 } }), { store, env: process.env, cwd: dir, progress: quietProgress() });
    const first = await run();
    const second = await run();
    expect(second.result.resumed).toBe(true);
    expect(second.result.attempt).toBe(2);
    expect(second.result.restored_sequence).toBe(first.result.checkpoint_sequence);
    expect(second.result.metrics).toEqual(first.result.metrics);
    expect(second.result.metrics_points).toBe(3);
    const output = JSON.parse(await readStoreText(`${prefix()}output.ipynb`));
    expect(JSON.stringify(output)).toContain("Resuming from epoch 3");
  });

  it("stores a failed result with the cell index, ename and evalue, and the partial output marked like papermill", async () => {
    const { result } = await runTraining(spec({ notebook: { path: path.join(fixtures, "failing-cell.ipynb") }, parameters: { message: "kaput" } }), {
      store,
      env: process.env,
      cwd: dir,
      progress: quietProgress(),
    });
    expect(result.status).toBe("failed");
    // Index 3 of the user's notebook; the injected cell is not counted.
    expect(result.failure).toEqual({ cell_index: 3, ename: "ValueError", evalue: "kaput 42" });
    expect(result.cells_executed).toBe(3);
    const stored = await readRunJson(store, prefix(), "result.json");
    expect(stored.status).toBe("failed");
    expect(stored.failure).toEqual(result.failure);

    const output = JSON.parse(await readStoreText(`${prefix()}output.ipynb`));
    const banner = output.cells[0];
    expect(banner.cell_type).toBe("markdown");
    expect(banner.metadata.tags).toContain("papermill-error-cell-tag");
    const failingAt = output.cells.findIndex((cell: any) => cell.id === "fails");
    expect(output.cells[failingAt - 1].metadata.tags).toContain("papermill-error-cell-tag");
    expect(output.cells[failingAt].outputs[0]).toMatchObject({ output_type: "error", ename: "ValueError" });
    expect([output.cells.find((cell: any) => cell.id === "before").outputs[0].text].flat().join("")).toBe("before the failure\n");
    expect(output.cells.find((cell: any) => cell.id === "after").outputs).toEqual([]);
    const ids = output.cells.map((cell: any) => cell.id);
    expect(new Set(ids).size).toBe(ids.length);
    // The stored notebook is valid nbformat 4.5 by nbformat's own verdict.
    const verdict = execFileSync("/usr/bin/python3", ["-c", "import nbformat,sys; nbformat.validate(nbformat.reads(sys.stdin.read(), as_version=4)); print('valid')"], {
      input: JSON.stringify(output),
    }).toString();
    expect(verdict.trim()).toBe("valid");
  });

  it("gives the kernel the run's Python, the injected values, NBTRAIN_* variables, no store credentials, and a google.colab stand-in", async () => {
    const { result } = await runTraining(
      spec({ notebook: { path: path.join(fixtures, "runtime-probe.ipynb") }, parameters: { label: 'quote " back\\slash\nnewline', ratio: 0.01 } }),
      { store, env: { ...process.env, AWS_SECRET_ACCESS_KEY: "not-for-the-kernel" }, cwd: dir, progress: quietProgress() },
    );
    expect(result.failure).toBeNull();
    const probe = JSON.parse(await readStoreText(`${prefix()}outputs/probe.json`));
    expect(probe.executable).toBe("/usr/bin/python3");
    expect(probe.label).toBe('quote " back\\slash\nnewline');
    expect(probe.ratio).toBe(0.01);
    expect(probe.ratio_type).toBe("float");
    expect(probe.run_id).toBe("run-1");
    expect(probe.resume).toBe(false);
    expect(probe.env).toEqual({
      NBTRAIN_CHECKPOINT_DIR: probe.checkpoint_dir,
      NBTRAIN_OUTPUT_DIR: probe.output_dir,
      NBTRAIN_RUN_ID: "run-1",
      NBTRAIN_RESUME: "0",
      NBTRAIN_ATTEMPT: "1",
      AWS_SECRET_ACCESS_KEY: null,
    });
    expect(probe.cwd).toBe(fixtures);
    expect(probe.drive_exists).toBe(true);
    expect(probe.drive_listing).toEqual(["note.txt"]);
    expect(probe.userdata_error).toBe("SecretNotFoundError");
    // /content/drive/MyDrive is the checkpoint folder, so the file is synced like a checkpoint.
    const manifest = await readRunJson(store, prefix(), "manifest.json");
    expect(manifest.files.map((file: { path: string }) => file.path)).toEqual(["colab-run/note.txt"]);
  });

  it("installs requirements.txt from a local package folder into the run's own folder before executing", async () => {
    const project = path.join(dir, "project");
    const wheels = path.join(dir, "wheels");
    await mkdir(project, { recursive: true });
    await mkdir(wheels, { recursive: true });
    // A tiny wheel built by hand (a wheel is a zip with dist-info), since no package index is reachable.
    execFileSync("/usr/bin/python3", [
      "-c",
      `import zipfile, base64, hashlib, sys
files = {"tinypkg/__init__.py": b"def greet():\\n    return 'hello from tinypkg'\\n",
         "tinypkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\\nName: tinypkg\\nVersion: 1.0\\n",
         "tinypkg-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
record = []
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, data in files.items():
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("tinypkg-1.0.dist-info/RECORD,,")
    z.writestr("tinypkg-1.0.dist-info/RECORD", "\\n".join(record) + "\\n")`,
      path.join(wheels, "tinypkg-1.0-py3-none-any.whl"),
    ]);
    await copyFile(path.join(fixtures, "uses-requirement.ipynb"), path.join(project, "train.ipynb"));
    await writeFile(path.join(project, "requirements.txt"), "tinypkg==1.0\n");
    const { result } = await runTraining(
      spec({ notebook: { path: path.join(project, "train.ipynb") }, install_requirements: true, pip_find_links: wheels }),
      { store, env: process.env, cwd: dir, progress: quietProgress() },
    );
    expect(result.failure).toBeNull();
    expect(result.metrics).toEqual({ greeting: "hello from tinypkg" });
    // The system interpreter itself is untouched.
    expect(() => execFileSync("/usr/bin/python3", ["-c", "import tinypkg"], { stdio: "pipe" })).toThrow();
  });

  it("reports a requirement pip cannot install as a failed run, with pip's words, instead of leaving it running", async () => {
    const project = path.join(dir, "project");
    await mkdir(project, { recursive: true });
    await copyFile(path.join(fixtures, "uses-requirement.ipynb"), path.join(project, "train.ipynb"));
    await writeFile(path.join(project, "requirements.txt"), "no-such-package-anywhere==9.9\n");
    await mkdir(path.join(dir, "empty-wheels"));
    const run = runTraining(spec({ notebook: { path: path.join(project, "train.ipynb") }, install_requirements: true, pip_find_links: path.join(dir, "empty-wheels") }), {
      store,
      env: process.env,
      cwd: dir,
      progress: quietProgress(),
    });
    await expect(run).rejects.toThrow(/pip could not install .*requirements\.txt[\s\S]*no-such-package-anywhere/);
    const stored = await readRunJson(store, prefix(), "result.json");
    expect(stored.status).toBe("failed");
    expect(stored.failure.evalue).toMatch(/pip could not install/);
  });

  it("refuses an invalid notebook with its findings and writes nothing to the store", async () => {
    const broken = path.join(fixtures, "broken.ipynb");
    await expect(runTraining(spec({ notebook: { path: broken } }), { store, env: process.env, cwd: dir, progress: quietProgress() })).rejects.toThrow(
      /broken\.ipynb cannot run: nbtrain check found 1 error[\s\S]*invalid-json/,
    );
    expect(await store.list("")).toEqual([]);
  });

  it("stops a run that passes its timeout, stores the output so far and reports timed-out", async () => {
    const { result } = await runTraining(
      spec({ notebook: { path: path.join(fixtures, "sleeps.ipynb") }, limits: { sync_interval_seconds: 0.2, timeout_seconds: 3 } }),
      { store, env: process.env, cwd: dir, progress: quietProgress() },
    );
    expect(result.status).toBe("timed-out");
    expect(result.duration_seconds).toBeLessThan(60); // the notebook alone sleeps for 60 s
    const stored = await readRunJson(store, prefix(), "result.json");
    expect(stored.status).toBe("timed-out");
    expect(await store.head(`${prefix()}output.ipynb`)).not.toBeNull();
  });
});
