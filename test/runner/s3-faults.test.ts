import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkpointManifestSchema, type CheckpointManifest } from "../../src/runner/checkpoint-manifest.js";
import { createProgressReporter } from "../../src/runner/progress-reporter.js";
import { runSpecSchema, type RunSpecInput } from "../../src/runner/run-spec.js";
import { runTraining, type RunOutcome } from "../../src/runner/run-training.js";
import { openStore } from "../../src/storage/open-store.js";
import { S3RVER_ENV, startFaultProxy, startS3Server, type FaultPlan, type FaultProxy, type S3Server } from "../support/s3-server.js";
import { NUMPY_EXAMPLE } from "./runner-harness.js";

// Whole training runs (real kernel, real SDK, s3rver on loopback) against a store that fails:
// issue 4, test point 4, end to end rather than store by store.

const EPOCHS = 8;
const SEED = 3;
const RUN_PREFIX = "runs/acme/models/run-1/";
const env: NodeJS.ProcessEnv = { ...process.env, ...S3RVER_ENV };

let server: S3Server;
let raw: S3Client; // talks to s3rver directly, to see what is really stored
let baseline: RunOutcome["result"];
let dir: string; // local scratch: each run gets its own work folder under it
let proxy: FaultProxy | undefined;
let caseCounter = 0;
let workCounter = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-s3-faults-"));
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  server = await startS3Server();
  raw = new S3Client({
    endpoint: server.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
});
afterAll(async () => {
  raw?.destroy();
  await server?.close();
  nock.enableNetConnect();
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

function quietProgress() {
  return createProgressReporter(new Writable({ write: (_chunk, _encoding, done) => done() }));
}

/** A fresh bucket prefix behind a fault proxy; returns the store URI and the run's full key prefix. */
async function storeBehindProxy(plan: FaultPlan, seed: number): Promise<{ uri: string; runKeys: string }> {
  proxy = await startFaultProxy(server.endpoint, plan, seed);
  const prefix = `case${++caseCounter}`;
  return { uri: `s3://${server.bucket}/${prefix}?endpoint=${proxy.endpoint}`, runKeys: `${prefix}/${RUN_PREFIX}` };
}

async function train(uri: string, parameters: Record<string, number>, options: { signal?: AbortSignal; env?: NodeJS.ProcessEnv; grace?: number } = {}) {
  const runEnv = options.env ?? env;
  const spec = runSpecSchema.parse({
    notebook: { path: NUMPY_EXAMPLE },
    parameters: { epochs: EPOCHS, seed: SEED, ...parameters },
    store: uri,
    owner: "acme",
    repo: "models",
    run_id: "run-1",
    limits: { sync_interval_seconds: 0.2, grace_seconds: options.grace ?? 25 },
    work_dir: path.join(dir, `work-${++workCounter}`),
  } satisfies RunSpecInput);
  const store = await openStore(uri, { baseDir: dir, env: runEnv });
  return runTraining(spec, { store, env: runEnv, cwd: dir, progress: quietProgress(), ...(options.signal ? { signal: options.signal } : {}) });
}

async function rawBytes(key: string): Promise<Buffer> {
  const response = await raw.send(new GetObjectCommand({ Bucket: server.bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

async function rawKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await raw.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

async function rawManifest(runKeys: string): Promise<CheckpointManifest | null> {
  if (!(await rawKeys(`${runKeys}manifest.json`)).length) return null;
  return checkpointManifestSchema.parse(JSON.parse((await rawBytes(`${runKeys}manifest.json`)).toString("utf8")));
}

/** Reads every object the manifest names straight from the server and checks its size and sha256. */
async function verifyManifest(runKeys: string, manifest: CheckpointManifest): Promise<void> {
  expect(manifest.files.length).toBeGreaterThan(0);
  for (const entry of manifest.files) {
    const bytes = await rawBytes(`${runKeys}${entry.key}`);
    expect({ key: entry.key, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") }).toEqual({
      key: entry.key,
      size: entry.size,
      sha256: entry.sha256,
    });
  }
}

/** The epoch stored inside a state.npz checkpoint, read by numpy itself. */
function checkpointEpoch(bytes: Buffer): number {
  const out = execFileSync("/usr/bin/python3", ["-c", "import io,sys,numpy as np; print(int(np.load(io.BytesIO(sys.stdin.buffer.read()))['epoch']))"], {
    input: bytes,
  });
  return Number(out.toString().trim());
}

// Real kernels on a loaded 2-core machine: generous limits.
describe("a whole training run against a faulty S3 store", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    // The fault-free reference: same notebook, seed and epochs, straight to s3rver.
    const prefix = `baseline${++caseCounter}`;
    const { result } = await train(`s3://${server.bucket}/${prefix}?endpoint=${server.endpoint}`, {});
    expect(result.status).toBe("completed");
    baseline = result;
  }, 180_000);

  it("completes with nothing lost when 20% of requests fail with 503 or SlowDown", async () => {
    const { uri, runKeys } = await storeBehindProxy({ failRate: 0.2 }, 7);
    // A short pause per epoch gives several checkpoint syncs (and so many requests) during the run.
    const { result } = await train(uri, { epoch_delay: 0.3 });
    expect(result.status).toBe("completed");
    expect(result.failure).toBeNull();
    // The faults really happened (they alternate ServiceUnavailable and SlowDown, so both kinds).
    expect(proxy!.stats.failed).toBeGreaterThanOrEqual(5);
    expect(proxy!.stats.failed / proxy!.stats.requests).toBeGreaterThan(0.1);

    const keys = await rawKeys(runKeys);
    for (const key of ["result.json", "output.ipynb", "manifest.json", "metrics.jsonl"]) expect(keys).toContain(`${runKeys}${key}`);
    expect(keys.filter((key) => key.includes(".nbtrain-tmp/"))).toEqual([]);

    const stored = JSON.parse((await rawBytes(`${runKeys}result.json`)).toString("utf8"));
    expect(stored).toEqual(result);
    expect(stored.metrics).toEqual(baseline.metrics);
    expect(stored.metrics_points).toBe(EPOCHS);
    const lines = (await rawBytes(`${runKeys}metrics.jsonl`)).toString("utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((line) => line.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));

    const output = JSON.parse((await rawBytes(`${runKeys}output.ipynb`)).toString("utf8"));
    expect(JSON.stringify(output.cells.at(-1).outputs)).toContain("final: loss");

    const manifest = (await rawManifest(runKeys))!;
    expect(manifest.sequence).toBe(result.checkpoint_sequence);
    expect(manifest.files.map((file) => file.path)).toEqual(["state.npz"]);
    await verifyManifest(runKeys, manifest);
    expect(checkpointEpoch(await rawBytes(`${runKeys}${manifest.files[0]!.key}`))).toBe(EPOCHS);
  });

  it("never lets an upload cut mid-way become the latest manifest, and a rerun resumes from the last complete one", async () => {
    const { uri, runKeys } = await storeBehindProxy({}, 11);
    const controller = new AbortController();
    // Few tries, so the runner gives up quickly once the network is down for good.
    const flaky = { ...env, NBTRAIN_S3_MAX_ATTEMPTS: "2" };
    const first = train(uri, { epoch_delay: 0.4 }, { signal: controller.signal, env: flaky, grace: 3 }).then(
      (outcome) => ({ outcome, error: null }),
      (error: unknown) => ({ outcome: null, error }),
    );

    // Watch the server directly: every manifest ever seen verifies. After the second one, the next
    // body over 2 KiB (a ~5 KB state.npz; manifests and metrics.jsonl stay smaller) is cut, and
    // the network stays down; then the run is stopped as a spot reclaim would stop it.
    const seen: CheckpointManifest[] = [];
    let armedAt = -1;
    for (let polls = 0; polls < 1200 && proxy!.stats.cut === 0; polls++) {
      const manifest = await rawManifest(runKeys);
      if (manifest && seen.at(-1)?.sequence !== manifest.sequence) {
        await verifyManifest(runKeys, manifest);
        seen.push(manifest);
      }
      if (armedAt < 0 && manifest && manifest.sequence >= 2) {
        proxy!.plan = { cutAfterBytes: 2048 };
        armedAt = proxy!.log.length;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(proxy!.stats.cut).toBe(1);
    // The first checkpoint PUT after arming is the one cut (the only kind of body over 2 KiB).
    const cutRequest = proxy!.log.slice(armedAt).find((entry) => entry.method === "PUT" && entry.url.includes("/checkpoints/"))!;
    expect(cutRequest.url).toContain("/checkpoints/");
    controller.abort();
    const interrupted = await first;
    // The store stays unreachable, so the runner cannot store output.ipynb or result.json: it must
    // not claim success (today it rejects with the store's error; an "interrupted" result would do too).
    if (interrupted.outcome) expect(interrupted.outcome.result.status).toBe("interrupted");
    else expect(interrupted.error).toBeInstanceOf(Error);

    const lastComplete = (await rawManifest(runKeys))!;
    expect(lastComplete.sequence).toBe(seen.at(-1)!.sequence);
    await verifyManifest(runKeys, lastComplete);
    // The cut object is neither named by the manifest nor visible at its key.
    const cutKey = decodeURIComponent(new URL(cutRequest.url, "http://x").pathname).slice(`/${server.bucket}/`.length);
    expect(cutKey.startsWith(`${runKeys}checkpoints/`)).toBe(true);
    expect(lastComplete.files.map((entry) => `${runKeys}${entry.key}`)).not.toContain(cutKey);
    expect(await rawKeys(cutKey)).toEqual([]);
    const restoredEpoch = checkpointEpoch(await rawBytes(`${runKeys}${lastComplete.files[0]!.key}`));
    expect(restoredEpoch).toBeGreaterThanOrEqual(1);
    expect(restoredEpoch).toBeLessThan(EPOCHS);

    // The network is back: the same run id resumes from that manifest and ends where a fault-free run ends.
    proxy!.plan = {};
    const { result } = await train(uri, {});
    expect(result.status).toBe("completed");
    expect(result.resumed).toBe(true);
    expect(result.restored_sequence).toBe(lastComplete.sequence);
    expect(result.attempt).toBe(2);
    expect(result.metrics).toEqual(baseline.metrics);
    const output = (await rawBytes(`${runKeys}output.ipynb`)).toString("utf8");
    expect(output).toContain(`Resuming from epoch ${restoredEpoch}`);
    const manifest = (await rawManifest(runKeys))!;
    expect(manifest.sequence).toBeGreaterThan(lastComplete.sequence);
    await verifyManifest(runKeys, manifest);
    expect(checkpointEpoch(await rawBytes(`${runKeys}${manifest.files[0]!.key}`))).toBe(EPOCHS);
  });
});
