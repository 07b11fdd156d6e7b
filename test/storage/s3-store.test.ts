import { createHash } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/storage/open-store.js";
import { parseStoreUri } from "../../src/storage/parse-store-uri.js";
import { createS3Store, type S3Store } from "../../src/storage/s3-store.js";
import type { Store } from "../../src/storage/store.js";
import { S3RVER_ENV, startFaultProxy, startS3Server, type FaultProxy, type S3Server } from "../support/s3-server.js";
import { digestStream, patternSha256, patternStream } from "./pattern-stream.js";

const MIB = 1024 * 1024;
const sha = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

let server: S3Server;
let raw: S3Client; // talks to s3rver directly, to see what is really stored
let prefixCounter = 0;

beforeAll(async () => {
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
});

/** A store under a fresh prefix, through `endpoint` (s3rver or a proxy), with 5 MiB parts. */
async function storeAt(endpoint: string, env: NodeJS.ProcessEnv = {}): Promise<{ store: S3Store; prefix: string }> {
  const prefix = `t${++prefixCounter}/runs`;
  const store = await createS3Store(
    parseStoreUri(`s3://${server.bucket}/${prefix}?endpoint=${endpoint}`) as Extract<ReturnType<typeof parseStoreUri>, { kind: "s3" }>,
    { ...S3RVER_ENV, NBTRAIN_S3_PART_SIZE_MB: "5", NBTRAIN_S3_QUEUE_SIZE: "2", ...env },
  );
  return { store, prefix };
}

async function rawKeys(prefix: string): Promise<string[]> {
  const page = await raw.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

describe("S3Store against s3rver", () => {
  it("puts, gets, heads, lists and deletes through the real SDK", async () => {
    const { store, prefix } = await storeAt(server.endpoint);
    const a = await store.put("checkpoints/a.pt", Buffer.from("alpha"));
    const b = await store.put("checkpoints/b.pt", patternStream(300_000, 3));
    const c = await store.put("result.json", patternStream(1234, 4), { sha256: await patternSha256(1234, 4), size: 1234 });
    expect(a).toEqual({ key: "checkpoints/a.pt", size: 5, sha256: sha("alpha") });
    expect(b).toEqual({ key: "checkpoints/b.pt", size: 300_000, sha256: await patternSha256(300_000, 3) });
    expect(c.sha256).toBe(await patternSha256(1234, 4));

    expect(await digestStream(await store.get("checkpoints/b.pt"))).toEqual({ size: b.size, sha256: b.sha256 });
    expect(await store.head("checkpoints/a.pt")).toEqual(a);
    expect(await store.head("checkpoints/none")).toBeNull();
    expect(await store.list("checkpoints/")).toEqual([a, b]);
    expect((await store.list("")).map((o) => o.key)).toEqual(["checkpoints/a.pt", "checkpoints/b.pt", "result.json"]);

    // The hash is in the object's own metadata, and the staging copy is gone.
    const head = await raw.send(new HeadObjectCommand({ Bucket: server.bucket, Key: `${prefix}/checkpoints/b.pt` }));
    expect(head.Metadata?.sha256).toBe(b.sha256);
    expect(await rawKeys(prefix)).toEqual([`${prefix}/checkpoints/a.pt`, `${prefix}/checkpoints/b.pt`, `${prefix}/result.json`]);

    await store.delete("checkpoints/a.pt");
    await store.delete("checkpoints/a.pt");
    expect(await store.head("checkpoints/a.pt")).toBeNull();
    await expect(store.get("checkpoints/a.pt")).rejects.toMatchObject({ code: "not-found" });
  });

  it("uploads a large stream in several parts and restores it byte for byte", async () => {
    const counter = await startFaultProxy(server.endpoint); // no faults: it only counts the parts
    const { store } = await storeAt(counter.endpoint);
    const size = 17 * MIB + 123; // four parts of 5 MiB
    const expected = await patternSha256(size, 7);
    const put = await store.put("checkpoints/big.pt", patternStream(size, 7), { sha256: expected });
    expect(put).toEqual({ key: "checkpoints/big.pt", size, sha256: expected });
    expect(counter.stats.uploadParts).toBe(4);
    // Parts are not hashed a second time for SigV4: our sha256 and the SDK's CRC32 cover them.
    const parts = counter.log.filter((r) => r.method === "PUT" && r.url.includes("partNumber="));
    expect(parts.map((r) => r.contentSha256)).toEqual(Array(4).fill("UNSIGNED-PAYLOAD"));
    expect(await digestStream(await store.get("checkpoints/big.pt"))).toEqual({ size, sha256: expected });

    // Without a hash up front: staged multipart, then copied into place with its hash.
    const staged = await store.put("checkpoints/big2.pt", patternStream(size, 8));
    expect(staged.sha256).toBe(await patternSha256(size, 8));
    expect(await digestStream(await store.get("checkpoints/big2.pt"))).toEqual({ size, sha256: staged.sha256 });
    expect(counter.stats.uploadParts).toBe(8);
    await counter.close();
  });

  it("detects a corrupted object: the get stream errors", async () => {
    const { store, prefix } = await storeAt(server.endpoint);
    // Written behind the store's back: bytes that do not match the recorded hash.
    await raw.send(
      new PutObjectCommand({ Bucket: server.bucket, Key: `${prefix}/ckpt.pt`, Body: Buffer.from("tampered"), Metadata: { sha256: sha("original") } }),
    );
    await expect(digestStream(await store.get("ckpt.pt"))).rejects.toMatchObject({ code: "integrity" });
  });

  it("rejects a put whose bytes do not match the announced hash, leaving nothing under the key", async () => {
    const { store, prefix } = await storeAt(server.endpoint);
    const size = 11 * MIB;
    await expect(store.put("ckpt.pt", patternStream(size, 2), { sha256: await patternSha256(size, 3) })).rejects.toMatchObject({ code: "integrity" });
    await expect(store.put("small", Buffer.from("abc"), { size: 4 })).rejects.toMatchObject({ code: "integrity" });
    expect(await store.head("ckpt.pt")).toBeNull();
    expect(await rawKeys(prefix)).toEqual([]);
  });

  it("confines keys and refuses the staging area", async () => {
    const { store } = await storeAt(server.endpoint);
    for (const key of ["../x", "/abs", "a\\b", "a//b", ".nbtrain-tmp/x", "ctl\u0001"]) {
      await expect(store.put(key, Buffer.from("x"))).rejects.toMatchObject({ code: "invalid-key" });
    }
  });

  it("reports refused credentials clearly, without the secret", async () => {
    const { store } = await storeAt(server.endpoint, { AWS_ACCESS_KEY_ID: "AKIAUNKNOWN", AWS_SECRET_ACCESS_KEY: "wrong-secret-value" });
    const failure = (await store.put("x", Buffer.from("y")).then(
      () => new Error("the put succeeded"),
      (error: unknown) => error,
    )) as Error & { code?: string };
    expect(failure).toMatchObject({ code: "credentials" });
    expect(failure.message).toMatch(/AWS_ACCESS_KEY_ID/);
    expect(failure.message).not.toContain("wrong-secret-value");
  });

  it("opens from a URI with NBTRAIN_S3_ENDPOINT and path-style addressing", async () => {
    const prefix = `t${++prefixCounter}`;
    const store: Store = await openStore(`s3://${server.bucket}/${prefix}`, {
      baseDir: "/nonexistent",
      env: { ...S3RVER_ENV, NBTRAIN_S3_ENDPOINT: server.endpoint },
    });
    expect(store.uri).toBe(`s3://${server.bucket}/${prefix}/`);
    await store.put("x", Buffer.from("y"));
    const got = await raw.send(new GetObjectCommand({ Bucket: server.bucket, Key: `${prefix}/x` }));
    expect(await got.Body!.transformToString()).toBe("y");
  });
});

describe("S3Store under store faults", () => {
  let proxy: FaultProxy;
  afterEach(async () => {
    await proxy?.close();
  });

  it("completes a batch of puts and gets with 20% of requests failing with 503 or SlowDown, losing nothing", async () => {
    proxy = await startFaultProxy(server.endpoint, { failRate: 0.2 }, 7);
    const { store, prefix } = await storeAt(proxy.endpoint);
    const sizes = [0, 1, 1000, 70_000, 300_000, 6 * MIB, 12 * MIB + 5, 2_000_000, 64, 5 * MIB, ...Array.from({ length: 14 }, (_, i) => 1000 * (i + 1) ** 3)];
    const puts = await Promise.all(
      sizes.map(async (size, i) => {
        // Half with the hash known up front, half staged and copied: both paths face the faults.
        const options = i % 2 === 0 ? { sha256: await patternSha256(size, 100 + i) } : {};
        return store.put(`checkpoints/f${i}.bin`, patternStream(size, 100 + i), options);
      }),
    );
    for (const [i, size] of sizes.entries()) {
      expect(puts[i]).toEqual({ key: `checkpoints/f${i}.bin`, size, sha256: await patternSha256(size, 100 + i) });
    }
    const listed = await store.list("checkpoints/");
    expect(listed).toEqual([...puts].sort((x, y) => x.key.localeCompare(y.key)));
    for (const object of puts) {
      expect(await digestStream(await store.get(object.key))).toEqual({ size: object.size, sha256: object.sha256 });
    }
    // Checked behind the proxy: every object is there with its hash, and no staging copy is left.
    expect(await rawKeys(prefix)).toEqual(puts.map((o) => `${prefix}/${o.key}`).sort());
    expect(proxy.stats.failed).toBeGreaterThan(20);
    expect(proxy.stats.failed / proxy.stats.requests).toBeGreaterThan(0.1);
  });

  it("an upload cut in the middle never becomes visible, and the previous version stays intact", async () => {
    proxy = await startFaultProxy(server.endpoint);
    // Few attempts: the network stays down, so the put must give up rather than wait.
    const { store, prefix } = await storeAt(proxy.endpoint, { NBTRAIN_S3_MAX_ATTEMPTS: "2" });
    const previous = await store.put("checkpoints/model.pt", Buffer.from("epoch 1"));
    const size = 12 * MIB;
    proxy.plan = { cutAfterBytes: 3 * MIB };
    // Once retries are spent the error names the object and the store and says how to recover.
    await expect(store.put("checkpoints/model.pt", patternStream(size, 5), { sha256: await patternSha256(size, 5) })).rejects.toMatchObject({
      name: "StoreError",
      code: "unavailable",
      message: expect.stringMatching(/^put of "checkpoints\/model\.pt" to s3:\/\/[^]*run again with the same run id/u),
    });
    await expect(store.put("checkpoints/other.pt", patternStream(size, 6))).rejects.toMatchObject({ code: "unavailable", message: expect.stringContaining('put of "checkpoints/other.pt"') });
    await expect(store.put("checkpoints/bytes.pt", Buffer.from("x"))).rejects.toMatchObject({ code: "unavailable", message: expect.stringContaining('put of "checkpoints/bytes.pt"') });
    expect(proxy.stats.cut).toBe(1);

    // Seen directly on the server: the old version, and nothing new under any visible key.
    const head = await raw.send(new HeadObjectCommand({ Bucket: server.bucket, Key: `${prefix}/checkpoints/model.pt` }));
    expect(head.ContentLength).toBe(7);
    expect(head.Metadata?.sha256).toBe(previous.sha256);
    expect((await rawKeys(prefix)).filter((k) => !k.includes("/.nbtrain-tmp/"))).toEqual([`${prefix}/checkpoints/model.pt`]);
    proxy.plan = {};
    expect(await store.list("")).toEqual([previous]);
    expect(await digestStream(await store.get("checkpoints/model.pt"))).toEqual({ size: 7, sha256: previous.sha256 });
  });

  it("retries a part whose connection was cut once, and the object arrives whole", async () => {
    proxy = await startFaultProxy(server.endpoint, { cutAfterBytes: 2 * MIB, recover: true });
    const { store } = await storeAt(proxy.endpoint);
    const size = 12 * MIB;
    const put = await store.put("checkpoints/model.pt", patternStream(size, 11), { sha256: await patternSha256(size, 11) });
    expect(proxy.stats.cut).toBe(1);
    expect(await digestStream(await store.get("checkpoints/model.pt"))).toEqual({ size, sha256: put.sha256 });
  });

  it("resumes a download cut in the middle with a ranged get and still verifies the whole object", async () => {
    proxy = await startFaultProxy(server.endpoint);
    const { store } = await storeAt(proxy.endpoint);
    const size = 3 * MIB;
    const put = await store.put("ckpt.pt", patternStream(size, 9));
    proxy.plan = { cutResponsesAfterBytes: { bytes: MIB, count: 2 } };
    expect(await digestStream(await store.get("ckpt.pt"))).toEqual({ size, sha256: put.sha256 });
    expect(proxy.stats.cutResponses).toBe(2);
  });

  it("lists the sizes of objects another tool wrote with one listing, reading none of them, where list must read each to hash it", async () => {
    proxy = await startFaultProxy(server.endpoint);
    const { store, prefix } = await storeAt(proxy.endpoint);
    // As a Colab notebook's boto3 upload leaves them: no sha256 metadata of ours.
    await raw.send(new PutObjectCommand({ Bucket: server.bucket, Key: `${prefix}/colab/b.pt`, Body: Buffer.alloc(70_000, 1) }));
    await raw.send(new PutObjectCommand({ Bucket: server.bucket, Key: `${prefix}/colab/a.pt`, Body: Buffer.from("alpha") }));
    const methods = () => proxy.log.map((entry) => entry.method);

    expect(await store.listSizes("colab/")).toEqual([
      { key: "colab/a.pt", size: 5 },
      { key: "colab/b.pt", size: 70_000 },
    ]);
    expect(methods()).toEqual(["GET"]); // the ListObjectsV2 page only
    proxy.log.length = 0;
    expect((await store.list("colab/")).map((o) => [o.key, o.size])).toEqual([["colab/a.pt", 5], ["colab/b.pt", 70_000]]);
    expect(methods().filter((m) => m === "HEAD")).toHaveLength(2);
    expect(methods().filter((m) => m === "GET").length).toBeGreaterThan(2); // the listing, then each object read to hash it
  });
});
