import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgressReporter } from "../../src/runner/progress-reporter.js";
import { runSpecSchema } from "../../src/runner/run-spec.js";
import { runTraining } from "../../src/runner/run-training.js";
import { FileStore } from "../../src/storage/file-store.js";
import { S3RVER_ENV, startS3Server, type S3Server } from "../support/s3-server.js";
import { NUMPY_EXAMPLE, readRunJson, trainLikeColab } from "./runner-harness.js";

// `from` an s3:// folder: a Colab-style checkpoint in a loopback S3 (s3rver) seeds a run kept in a
// file store; the S3 folder is only read.

let dir: string;
let server: S3Server;
let s3: S3Client;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-seed-s3-"));
  server = await startS3Server();
  s3 = new S3Client({ endpoint: server.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
});
afterAll(async () => {
  s3?.destroy();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function listing(): Promise<Array<[string, string]>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: server.bucket }));
  return (listed.Contents ?? []).map((object) => [object.Key!, object.ETag!] as [string, string]).sort();
}

describe("a run seeded from an s3:// folder", () => {
  it("starts from the folder's checkpoint, resumes after its epoch, and writes nothing to the bucket", async () => {
    // The notebook's own code, run by plain Python for 3 epochs, as a Colab session would.
    const colab = path.join(dir, "colab");
    trainLikeColab(NUMPY_EXAMPLE, colab, `${colab}-out`);
    await s3.send(new PutObjectCommand({ Bucket: server.bucket, Key: "colab/spiral/state.npz", Body: await readFile(path.join(colab, "state.npz")) }));
    const before = await listing();

    const store = new FileStore(path.join(dir, "store"));
    const spec = runSpecSchema.parse({
      notebook: { path: NUMPY_EXAMPLE },
      parameters: { epochs: 6 },
      store: `file://${dir}/store`,
      owner: "acme",
      repo: "models",
      run_id: "from-s3",
      from: `s3://${server.bucket}/colab/spiral?endpoint=${server.endpoint}&forcePathStyle=true`,
    });
    const { result } = await runTraining(spec, {
      store,
      env: { ...process.env, ...S3RVER_ENV },
      cwd: dir,
      progress: createProgressReporter(new Writable({ write: (_c, _e, done) => done() })),
    });
    expect(result.status).toBe("completed");
    expect(result.resumed).toBe(true);
    expect(result.seeded_from).toMatchObject({ files: 1 });
    expect(result.seeded_from!.source).toMatch(/^s3:\/\/nbtrain-test\/colab\/spiral/u);
    // The copy became the run's first checkpoint, then training went on: progress is visible.
    expect(result.restored_sequence).toBe(1);
    expect(result.checkpoint_sequence).toBeGreaterThan(1);
    const output = await readFile(path.join(dir, "store/runs/acme/models/from-s3/output.ipynb"), "utf8");
    expect(output).toContain("Resuming from epoch 3");
    expect(output).toContain("epoch 4: loss");
    expect(output).not.toContain("epoch 3: loss");
    const manifest = await readRunJson(store, "runs/acme/models/from-s3/", "manifest.json");
    expect(manifest.files.map((file: { path: string }) => file.path)).toEqual(["state.npz"]);
    expect(await listing()).toEqual(before);
  }, 180_000);
});
