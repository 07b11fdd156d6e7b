/**
 * Checkpoint store benchmark: uploads and restores 256 MiB and 1 GiB checkpoints against s3rver on
 * loopback (in a child process, so the RSS measured here is the client's alone). Prints multipart
 * throughput against a single PutObject made with the same SDK in the same run, restore
 * throughput, and peak RSS growth. Data is generated as a stream and never held in memory.
 *
 * Run: npm run bench:store   (NBTRAIN_BENCH_SIZES_MB=64,256 to change the sizes)
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createS3Store } from "../src/storage/s3-store.js";
import { parseStoreUri, type StoreLocation } from "../src/storage/parse-store-uri.js";

const MIB = 1024 * 1024;
const BLOCK = 256 * 1024;
const SERVE_FLAG = "--serve-s3rver";

/** Pseudo-random bytes made from one random block with each block's index stamped in: cheap and incompressible. */
function checkpointStream(size: number, seed: Buffer): Readable {
  let sent = 0;
  let index = 0;
  return new Readable({
    highWaterMark: BLOCK,
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const chunk = Buffer.from(seed.subarray(0, Math.min(BLOCK, size - sent)));
      chunk.writeUInt32LE(index++, 0);
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Samples RSS while `work` runs; returns its duration and the peak growth over the RSS at start. */
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; rssGrowthMiB: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const start = process.hrtime.bigint();
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, seconds: Number(process.hrtime.bigint() - start) / 1e9, rssGrowthMiB: (peak - base) / MIB };
  } finally {
    clearInterval(timer);
  }
}

/** Starts s3rver in a child process and returns its endpoint. */
async function startServerProcess(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), SERVE_FLAG], { stdio: ["ignore", "pipe", "inherit"] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (data: Buffer) => {
      out += data.toString();
      const match = /ENDPOINT (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on("exit", (code) => reject(new Error(`s3rver exited early with code ${code}`)));
  });
  return {
    endpoint,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

async function serve(): Promise<void> {
  const { startS3Server } = await import("../test/support/s3-server.js");
  const server = await startS3Server("bench");
  process.stdout.write(`ENDPOINT ${server.endpoint}\n`);
  // s3rver keeps its data in its own temp folder under /tmp and removes it on close.
  process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function main(): Promise<void> {
  const sizesMiB = (process.env.NBTRAIN_BENCH_SIZES_MB ?? "256,1024").split(",").map(Number);
  const partMiB = Number(process.env.NBTRAIN_S3_PART_SIZE_MB ?? 8);
  const queueSize = Number(process.env.NBTRAIN_S3_QUEUE_SIZE ?? 2);
  const work = await mkdtemp(path.join(tmpdir(), "nbtrain-bench-store-"));
  const server = await startServerProcess();
  const env = {
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_REGION: "us-east-1",
    NBTRAIN_S3_PART_SIZE_MB: String(partMiB),
    NBTRAIN_S3_QUEUE_SIZE: String(queueSize),
  };
  const store = await createS3Store(
    parseStoreUri(`s3://bench/ckpt?endpoint=${server.endpoint}`) as Extract<StoreLocation, { kind: "s3" }>,
    env,
  );
  // Time CompleteMultipartUpload apart: s3rver concatenates the parts there (a second full write),
  // which S3 itself does as a metadata operation.
  let completeSeconds = 0;
  store.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "CompleteMultipartUploadCommand") return next(args);
      const start = process.hrtime.bigint();
      try {
        return await next(args);
      } finally {
        completeSeconds += Number(process.hrtime.bigint() - start) / 1e9;
      }
    },
    { step: "initialize", name: "benchCompleteTimer" },
  );
  const sdk = new S3Client({
    endpoint: server.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  const seed = randomBytes(BLOCK);
  const rows: string[] = [];
  try {
    console.log(`nbtrain store benchmark: s3rver on loopback, parts of ${partMiB} MiB x ${queueSize} in flight, sizes ${sizesMiB.join(", ")} MiB`);
    for (const sizeMiB of sizesMiB) {
      const size = sizeMiB * MIB;
      const hashed = await measure(() => sha256Of(checkpointStream(size, seed)));
      const sha256 = hashed.result;

      const single = await measure(() =>
        sdk.send(new PutObjectCommand({ Bucket: "bench", Key: "baseline/single.bin", Body: checkpointStream(size, seed), ContentLength: size })),
      );
      await sdk.send(new DeleteObjectCommand({ Bucket: "bench", Key: "baseline/single.bin" }));

      // lib-storage on its own, same part size and queue: separates the store's hashing from the SDK's cost.
      const raw = await measure(() =>
        new Upload({
          client: sdk,
          params: { Bucket: "bench", Key: "baseline/multipart.bin", Body: checkpointStream(size, seed) },
          partSize: partMiB * MIB,
          queueSize,
        }).done(),
      );
      await sdk.send(new DeleteObjectCommand({ Bucket: "bench", Key: "baseline/multipart.bin" }));

      completeSeconds = 0;
      const multipart = await measure(() => store.put("checkpoint.pt", checkpointStream(size, seed), { sha256, size }));
      if (multipart.result.sha256 !== sha256) throw new Error("multipart upload returned the wrong hash");

      const file = path.join(work, "restored.pt");
      const restore = await measure(async () => pipeline(await store.get("checkpoint.pt"), createWriteStream(file)));
      const restored = await sha256Of((await import("node:fs")).createReadStream(file));
      if (restored !== sha256 || (await stat(file)).size !== size) throw new Error("restored checkpoint differs from the upload");
      await rm(file);
      await store.delete("checkpoint.pt");

      const mbps = (seconds: number) => sizeMiB / seconds;
      const ratio = mbps(multipart.seconds) / mbps(single.seconds);
      rows.push(
        [
          `${sizeMiB} MiB`,
          `single PutObject ${fmt(mbps(single.seconds))} MiB/s (RSS +${fmt(single.rssGrowthMiB, 0)} MiB)`,
          `multipart put ${fmt(mbps(multipart.seconds))} MiB/s (RSS +${fmt(multipart.rssGrowthMiB, 0)} MiB)`,
          `ratio multipart/single ${fmt(ratio, 2)}`,
          `bare lib-storage Upload ${fmt(mbps(raw.seconds))} MiB/s (ratio ${fmt(single.seconds / raw.seconds, 2)})`,
          `of which CompleteMultipartUpload ${fmt(completeSeconds, 2)} s (parts alone ${fmt(sizeMiB / (multipart.seconds - completeSeconds))} MiB/s, ratio ${fmt(single.seconds / (multipart.seconds - completeSeconds), 2)})`,
          `restore ${fmt(mbps(restore.seconds))} MiB/s (RSS +${fmt(restore.rssGrowthMiB, 0)} MiB)`,
          `sha256 pass ${fmt(mbps(hashed.seconds))} MiB/s`,
        ].join(" | "),
      );
      console.log(rows[rows.length - 1]);
      const goalMemory = sizeMiB >= 1024 ? (Math.max(multipart.rssGrowthMiB, restore.rssGrowthMiB) < 128 ? "met" : "MISSED") : "n/a";
      console.log(
        `  goals: multipart >= single PUT: ${ratio >= 1 ? "met" : "MISSED"}; RSS growth < 128 MiB for 1 GiB: ${goalMemory}`,
      );
    }
  } finally {
    sdk.destroy();
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === SERVE_FLAG) {
  await serve();
} else {
  await main();
}
