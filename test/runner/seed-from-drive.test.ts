import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgressReporter } from "../../src/runner/progress-reporter.js";
import { RunInputError } from "../../src/runner/run-input-error.js";
import { runSpecSchema } from "../../src/runner/run-spec.js";
import { runTraining } from "../../src/runner/run-training.js";
import { FileStore } from "../../src/storage/file-store.js";
import {
  DRIVE_ACCESS_TOKEN,
  DRIVE_OAUTH,
  driveFile,
  driveFolder,
  expectChildren,
  expectLookup,
  expectMedia,
  expectRefreshToken,
  useDriveStoreMock,
} from "../support/drive-store-mock.js";
import { NUMPY_EXAMPLE, readRunJson, trainLikeColab } from "./runner-harness.js";

// `from` a gdrive:// folder: a checkpoint saved by the notebook's own code (as in Colab, to
// /content/drive/MyDrive/colab/spiral) seeds a run kept in a file store. Drive is mocked at the
// HTTP boundary with the exact requests the real @googleapis/drive client makes; only GETs and the
// OAuth token POST are answered, so any write to Drive would go unmatched and fail the test.

const SOURCE = "gdrive://MyDrive/colab/spiral";

let dir: string;
let checkpoint: Buffer;
const { expectExactRequests } = useDriveStoreMock();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-seed-drive-"));
  // The notebook's own code, run by plain Python for 3 epochs, as a Colab session would.
  const colab = path.join(dir, "colab");
  trainLikeColab(NUMPY_EXAMPLE, colab, `${colab}-out`);
  checkpoint = await readFile(path.join(colab, "state.npz"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Neither the client secret, the refresh token nor the access token shows in a message. */
function expectNoSecret(message: string): void {
  for (const secret of [DRIVE_OAUTH.client_secret, DRIVE_OAUTH.refresh_token, DRIVE_ACCESS_TOKEN]) expect(message).not.toContain(secret);
}

/** The file as Drive lists it after Colab saved it: Drive's md5, and no appProperties of ours. */
function colabFile(bytes: Buffer) {
  return driveFile("FILE-state", "state.npz", bytes);
}

/** MyDrive/colab/spiral resolved folder by folder, and its one file listed. */
function expectSourceFolder(): void {
  expectRefreshToken();
  expectLookup("root", "colab", true, [driveFolder("F-colab", "colab")]);
  expectLookup("F-colab", "spiral", true, [driveFolder("F-spiral", "spiral")]);
  expectChildren("F-spiral").reply(200, { files: [colabFile(checkpoint)] });
}

function quiet() {
  return createProgressReporter(new Writable({ write: (_c, _e, done) => done() }));
}

function specFor(runId: string, workDir?: string) {
  return runSpecSchema.parse({
    notebook: { path: NUMPY_EXAMPLE },
    parameters: { epochs: 6 },
    store: `file://${dir}/store`,
    owner: "acme",
    repo: "models",
    run_id: runId,
    from: SOURCE,
    ...(workDir ? { work_dir: workDir } : {}),
  });
}

function runEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NBTRAIN_GDRIVE_CREDENTIALS: JSON.stringify(DRIVE_OAUTH) };
  delete env.NBTRAIN_GDRIVE_CREDENTIALS_FILE;
  delete env.GOOGLE_APPLICATION_CREDENTIALS;
  return env;
}

/** What the run left in its store: a refused run leaves nothing, so nothing can pass for its result. */
async function runObjects(store: FileStore, runId: string): Promise<string[]> {
  return (await store.list(`runs/acme/models/${runId}/`)).map((object) => object.key);
}

describe("a run seeded from a gdrive:// folder", () => {
  it("starts from the Colab checkpoint, resumes after its epoch, and writes nothing to Drive", async () => {
    expectSourceFolder();
    // The folder is listed without reading its files; the copy downloads each one once.
    expectLookup("F-spiral", "state.npz", false, [colabFile(checkpoint)]);
    expectMedia("FILE-state").reply(200, checkpoint);

    const store = new FileStore(path.join(dir, "store"));
    const { result } = await runTraining(specFor("from-drive"), { store, env: runEnv(), cwd: dir, progress: quiet() });
    expectExactRequests();
    expect(result.status).toBe("completed");
    expect(result.resumed).toBe(true);
    expect(result.seeded_from).toEqual({ source: SOURCE, files: 1, bytes: checkpoint.length });
    // The copy became the run's first checkpoint, then training went on.
    expect(result.restored_sequence).toBe(1);
    expect(result.checkpoint_sequence).toBeGreaterThan(1);
    const output = await readFile(path.join(dir, "store/runs/acme/models/from-drive/output.ipynb"), "utf8");
    expect(output).toContain("Resuming from epoch 3");
    expect(output).toContain("epoch 4: loss");
    expect(output).toContain("epoch 6: loss");
    expect(output).not.toContain("epoch 3: loss");
    const manifest = await readRunJson(store, "runs/acme/models/from-drive/", "manifest.json");
    expect(manifest.files.map((file: { path: string }) => file.path)).toEqual(["state.npz"]);
  }, 180_000);

  it("refuses a Drive folder that does not exist as an input error naming the source, before writing anything", async () => {
    expectRefreshToken();
    expectLookup("root", "colab", true, [driveFolder("F-colab", "colab")]);
    expectLookup("F-colab", "spiral", true, []);

    const store = new FileStore(path.join(dir, "store"));
    const failure = await runTraining(specFor("missing-folder"), { store, env: runEnv(), cwd: dir, progress: quiet() }).then(
      () => null,
      (error: unknown) => error,
    );
    expectExactRequests(); // looked up, never created
    expect(failure).toBeInstanceOf(RunInputError);
    const message = (failure as Error).message;
    expect(message).toContain(SOURCE);
    expect(message).toMatch(/does not exist; point it at the folder your notebook saved its checkpoints to/u);
    expectNoSecret(message);
    expect(await runObjects(store, "missing-folder")).toEqual([]);
  });

  it("does not start training when Drive's bytes do not match its md5Checksum", async () => {
    const corrupt = Buffer.from(checkpoint);
    corrupt[corrupt.length >> 1] = (corrupt[corrupt.length >> 1] ?? 0) ^ 0xff;
    expectSourceFolder();
    expectLookup("F-spiral", "state.npz", false, [colabFile(checkpoint)]);
    expectMedia("FILE-state").reply(200, corrupt);

    const store = new FileStore(path.join(dir, "store"));
    const workDir = path.join(dir, "work-corrupt");
    const failure = await runTraining(specFor("corrupt", workDir), { store, env: runEnv(), cwd: dir, progress: quiet() }).then(
      () => null,
      (error: unknown) => error,
    );
    expectExactRequests();
    // Drive's md5 catches it as the copy streams.
    expect(failure).toMatchObject({ code: "integrity" });
    expect((failure as Error).message).toMatch(/^--from gdrive:\/\/MyDrive\/colab\/spiral: copying "state\.npz" failed: .*do not match .*checksum/u);
    expect((failure as Error).message).toContain("No training started from a partial copy; train again");
    expectNoSecret((failure as Error).message);
    expect(await runObjects(store, "corrupt")).toEqual([]);
    expect(await readdir(path.join(workDir, "checkpoints"))).toEqual([]);
  });

  it("does not start training from a copy whose download keeps being cut off midway", async () => {
    expectSourceFolder();
    expectLookup("F-spiral", "state.npz", false, [colabFile(checkpoint)]);
    // The copy's download and each of its resumes: a part arrives, then the connection drops.
    const part = Math.floor(checkpoint.length / 6);
    const cutAfter = (from: number) => () => {
      let sent = false;
      return new Readable({
        read() {
          if (sent) this.destroy(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
          else this.push(checkpoint.subarray(from, from + part));
          sent = true;
        },
      });
    };
    expectMedia("FILE-state").reply(200, cutAfter(0));
    for (let k = 1; k <= 4; k++) {
      expectMedia("FILE-state")
        .matchHeader("range", `bytes=${k * part}-`)
        .reply(206, cutAfter(k * part), { "Content-Range": `bytes ${k * part}-${checkpoint.length - 1}/${checkpoint.length}` });
    }

    const store = new FileStore(path.join(dir, "store"));
    const workDir = path.join(dir, "work-cut");
    const failure = await runTraining(specFor("cut", workDir), { store, env: runEnv(), cwd: dir, progress: quiet() }).then(
      () => null,
      (error: unknown) => error,
    );
    expectExactRequests();
    expect(failure).toMatchObject({ code: "unavailable" });
    expect((failure as Error).message).toMatch(/^--from gdrive:\/\/MyDrive\/colab\/spiral: copying "state\.npz" failed: .*ECONNRESET/u);
    expect((failure as Error).message).toContain("No training started from a partial copy; train again");
    expectNoSecret((failure as Error).message);
    expect(await runObjects(store, "cut")).toEqual([]);
    // Not even the partial download stays in checkpoint_dir.
    expect(await readdir(path.join(workDir, "checkpoints"))).toEqual([]);
  });
});
