import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import http, { type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDriveStore, type DriveStore } from "../../src/storage/drive-store.js";
import { FileStore } from "../../src/storage/file-store.js";
import { parseStoreUri, type StoreLocation } from "../../src/storage/parse-store-uri.js";
import { createS3Store, type S3Store } from "../../src/storage/s3-store.js";
import { scopeStore } from "../../src/storage/scoped-store.js";
import { DRIVE_FOLDER as FOLDER, DRIVE_OAUTH as OAUTH, driveApi, driveFolder, expectLookup, expectRefreshToken, useDriveStoreMock } from "../support/drive-store-mock.js";
import { repoRoot } from "../support/repo-root.js";
import { S3RVER_ENV, startS3Server, type S3Server } from "../support/s3-server.js";

// Store.create, the conditional write claims are made with, on each adapter: the file store for
// real (two processes racing on one folder), S3 through the SDK's real HTTP layer against a
// loopback server that answers conditional puts as S3 does, and Drive with nock at its REST API.

const sha = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
const text = async (stream: NodeJS.ReadableStream) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

describe("FileStore.create", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), "nbtrain-create-"));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("creates once; a second create of the key answers exists and leaves the first bytes", async () => {
    const store = new FileStore(root);
    expect(await store.create("claims/run-1.json", Buffer.from('{"by":"a"}'))).toBe("created");
    expect(await store.create("claims/run-1.json", Buffer.from('{"by":"b"}'))).toBe("exists");
    expect(await text(await store.get("claims/run-1.json"))).toBe('{"by":"a"}');
    expect(await store.head("claims/run-1.json")).toEqual({ key: "claims/run-1.json", size: 10, sha256: sha('{"by":"a"}') });
    // No temp file is left behind by the winner or the loser.
    expect(await readdir(path.join(root, ".nbtrain-tmp"))).toEqual([]);
  });

  it("of 40 creates racing in one process over two store objects, exactly one wins", async () => {
    const a = new FileStore(root);
    const b = new FileStore(root);
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).create("claims/x.json", Buffer.from(`racer-${i}`))));
    expect(outcomes.filter((o) => o === "created")).toHaveLength(1);
    const winner = outcomes.indexOf("created");
    expect(await text(await a.get("claims/x.json"))).toBe(`racer-${winner}`);
  });

  it("of two processes racing on 50 keys, exactly one wins each key", async () => {
    const entry = path.join(repoRoot, "dist/src/storage/file-store.js");
    const script = `
      const { FileStore } = await import(${JSON.stringify(entry)});
      const store = new FileStore(process.argv[1]);
      const won = [];
      await Promise.all(Array.from({ length: 50 }, async (_, i) => {
        if ((await store.create("claims/k" + i, Buffer.from(process.argv[2] + ":" + i))) === "created") won.push(i);
      }));
      process.stdout.write(JSON.stringify(won));`;
    const run = (name: string) => promisify(execFile)(process.execPath, ["--input-type=module", "-e", script, root, name]);
    const [one, two] = await Promise.all([run("p1"), run("p2")]);
    const won1 = JSON.parse(one.stdout) as number[];
    const won2 = JSON.parse(two.stdout) as number[];
    expect([...won1, ...won2].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const i of won1) expect(await readFile(path.join(root, "claims", `k${i}`), "utf8")).toBe(`p1:${i}`);
    for (const i of won2) expect(await readFile(path.join(root, "claims", `k${i}`), "utf8")).toBe(`p2:${i}`);
  });

  it("creates and puts land while deletes in the same folder prune it (the folder is made again)", async () => {
    const store = new FileStore(root);
    for (let round = 0; round < 100; round++) {
      await store.create(`locks/o/a/b/c/r-${round}.json`, Buffer.from("held"));
      // The delete empties locks/o/a/b/c/ and prunes it while the create and the put are making it again.
      const [, created, put] = await Promise.all([
        store.delete(`locks/o/a/b/c/r-${round}.json`),
        store.create(`locks/o/a/b/c/r-${round + 1000}.json`, Buffer.from("next")),
        store.put(`locks/o/a/b/c/p-${round}.json`, Buffer.from("put")),
      ]);
      expect(created).toBe("created");
      expect(put.size).toBe(3);
      await store.delete(`locks/o/a/b/c/r-${round + 1000}.json`);
      await store.delete(`locks/o/a/b/c/p-${round}.json`);
    }
  });

  it("passes through a scoped store under its prefix", async () => {
    const scoped = scopeStore(new FileStore(root), "runs/o/r/");
    expect(await scoped.create("claim.json", Buffer.from("x"))).toBe("created");
    expect(await scoped.create("claim.json", Buffer.from("y"))).toBe("exists");
    expect(await readFile(path.join(root, "runs/o/r/claim.json"), "utf8")).toBe("x");
  });
});

/**
 * A loopback server that answers PutObject as S3 does for conditional writes (s3rver ignores
 * If-None-Match on PUT): 412 PreconditionFailed when the key exists, and HEAD with the metadata.
 * `faults` lets a test cut the answer of a put that did land, or answer 409 first.
 */
async function startConditionalS3(): Promise<{
  endpoint: string;
  puts: { key: string; ifNoneMatch: string | undefined }[];
  objects: Map<string, { body: Buffer; sha256: string | undefined }>;
  faults: { dropAnswerOfNextPut: boolean; conflictsBeforePut: number };
  close(): Promise<void>;
}> {
  const objects = new Map<string, { body: Buffer; sha256: string | undefined }>();
  const puts: { key: string; ifNoneMatch: string | undefined }[] = [];
  const faults = { dropAnswerOfNextPut: false, conflictsBeforePut: 0 };
  const xmlError = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  const server = http.createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const key = decodeURIComponent(new URL(req.url!, "http://x").pathname);
    if (req.method === "PUT") {
      const ifNoneMatch = req.headers["if-none-match"] as string | undefined;
      puts.push({ key, ifNoneMatch });
      if (faults.conflictsBeforePut > 0) {
        faults.conflictsBeforePut--;
        res.writeHead(409, { "content-type": "application/xml" }).end(xmlError("ConditionalRequestConflict", "A conflicting conditional operation is in progress."));
        return;
      }
      if (ifNoneMatch === "*" && objects.has(key)) {
        res.writeHead(412, { "content-type": "application/xml" }).end(xmlError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold"));
        return;
      }
      objects.set(key, { body: Buffer.concat(chunks), sha256: req.headers["x-amz-meta-sha256"] as string | undefined });
      if (faults.dropAnswerOfNextPut) {
        faults.dropAnswerOfNextPut = false;
        req.socket.destroy(); // the write landed but its answer is lost: the SDK tries again
        return;
      }
      res.writeHead(200, { etag: '"e"' }).end();
      return;
    }
    if (req.method === "HEAD") {
      const object = objects.get(key);
      if (!object) return void res.writeHead(404).end();
      res.writeHead(200, { "content-length": object.body.length, ...(object.sha256 ? { "x-amz-meta-sha256": object.sha256 } : {}) }).end();
      return;
    }
    res.writeHead(501).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    puts,
    objects,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function s3StoreAt(endpoint: string, bucket: string, prefix: string): Promise<S3Store> {
  return createS3Store(parseStoreUri(`s3://${bucket}/${prefix}?endpoint=${endpoint}`) as Extract<StoreLocation, { kind: "s3" }>, {
    ...S3RVER_ENV,
    NBTRAIN_S3_MAX_ATTEMPTS: "3",
  });
}

describe("S3Store.create", () => {
  let stub: Awaited<ReturnType<typeof startConditionalS3>>;
  let s3rver: S3Server;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
    stub = await startConditionalS3();
    s3rver = await startS3Server();
  });
  afterAll(async () => {
    await stub?.close();
    await s3rver?.close();
    nock.enableNetConnect();
  });
  beforeEach(() => {
    stub.puts.length = 0;
    stub.objects.clear();
  });

  it("sends PutObject with If-None-Match: * and turns S3's 412 into exists", async () => {
    const store = await s3StoreAt(stub.endpoint, "bucket", "runs");
    expect(await store.create("claims/run-1.json", Buffer.from("first"))).toBe("created");
    expect(await store.create("claims/run-1.json", Buffer.from("second"))).toBe("exists");
    expect(stub.puts).toEqual([
      { key: "/bucket/runs/claims/run-1.json", ifNoneMatch: "*" },
      { key: "/bucket/runs/claims/run-1.json", ifNoneMatch: "*" },
    ]);
    expect(stub.objects.get("/bucket/runs/claims/run-1.json")).toEqual({ body: Buffer.from("first"), sha256: sha("first") });
  });

  it("of 20 racing creates exactly one is created", async () => {
    const store = await s3StoreAt(stub.endpoint, "bucket", "runs");
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create("claims/race.json", Buffer.from(`racer-${i}`))));
    expect(outcomes.filter((o) => o === "created")).toHaveLength(1);
    expect(stub.objects.get("/bucket/runs/claims/race.json")!.body.toString()).toBe(`racer-${outcomes.indexOf("created")}`);
  });

  it("tries a 409 ConditionalRequestConflict again", async () => {
    const store = await s3StoreAt(stub.endpoint, "bucket", "runs");
    stub.faults.conflictsBeforePut = 1;
    expect(await store.create("claims/c.json", Buffer.from("mine"))).toBe("created");
    expect(stub.puts).toHaveLength(2);
  });

  it("recognises its own object when the answer of a put that landed was lost and the retry got 412", async () => {
    const store = await s3StoreAt(stub.endpoint, "bucket", "runs");
    stub.faults.dropAnswerOfNextPut = true;
    expect(await store.create("claims/lost.json", Buffer.from("nonce-123"))).toBe("created");
    expect(stub.puts.length).toBeGreaterThanOrEqual(2);
    // Someone else's bytes under the key are still `exists`.
    expect(await store.create("claims/lost.json", Buffer.from("nonce-456"))).toBe("exists");
  });

  it("writes a readable, hashed object on the loopback s3rver (which does not enforce the header)", async () => {
    const store = await s3StoreAt(s3rver.endpoint, s3rver.bucket, "t-create");
    expect(await store.create("claims/s.json", Buffer.from('{"runId":"1"}'), { contentType: "application/json" })).toBe("created");
    expect(await store.head("claims/s.json")).toEqual({ key: "claims/s.json", size: 13, sha256: sha('{"runId":"1"}') });
    expect(await text(await store.get("claims/s.json"))).toBe('{"runId":"1"}');
  });
});

describe("DriveStore.create", () => {
  useDriveStoreMock({ exactAfterEach: true });
  beforeEach(() => expectRefreshToken());
  const api = () => driveApi();
  const lookup = expectLookup;
  const folders = () => {
    lookup("root", "nbtrain", true, [driveFolder("F-nb", "nbtrain")]);
    lookup("F-nb", "claims", true, [driveFolder("F-claims", "claims")]);
  };
  const generateIds = (id: string) => api().get("/drive/v3/files/generateIds").query({ count: "1", space: "drive", type: "files" }).reply(200, { ids: [id] });
  /** The multipart create, checked for the generated id, the parent and the bytes. */
  const createWith = (id: string, bytes: string, status = 200) =>
    api()
      .post("/upload/drive/v3/files", (body: string) => {
        const metadata = JSON.parse(/\r\n\r\n(\{.*\})\r\n/.exec(body)![1]!) as { id: string; name: string; parents: string[]; appProperties: { sha256: string } };
        return metadata.id === id && metadata.name === "run-1.json" && metadata.parents[0] === "F-claims" && metadata.appProperties.sha256 === sha(bytes) && body.includes(`\r\n\r\n${bytes}\r\n--`);
      })
      .query({ uploadType: "multipart", supportsAllDrives: "true", fields: "id" })
      .reply(status, status === 200 ? { id } : { error: { code: status, message: status === 409 ? "A file already exists with the provided ID." : "Backend Error" } });
  const sameNamed = (files: { id: string; createdTime: string }[]) =>
    api()
      .get("/drive/v3/files")
      .query({
        q: `'F-claims' in parents and name = 'run-1.json' and mimeType != '${FOLDER}' and trashed = false`,
        fields: "files(id,createdTime)",
        orderBy: "createdTime",
        pageSize: "100",
        spaces: "drive",
        supportsAllDrives: "true",
        includeItemsFromAllDrives: "true",
      })
      .reply(200, { files });
  const openDrive = async (): Promise<DriveStore> =>
    createDriveStore(parseStoreUri("gdrive://MyDrive/nbtrain") as Extract<StoreLocation, { kind: "gdrive" }>, { NBTRAIN_GDRIVE_CREDENTIALS: JSON.stringify(OAUTH) });

  it("creates the file under a generated id and keeps it when it is the oldest of that name", async () => {
    folders();
    lookup("F-claims", "run-1.json", false, []);
    generateIds("1gen-A");
    createWith("1gen-A", "claim-a");
    sameNamed([{ id: "1gen-A", createdTime: "2026-12-06T23:00:00.000Z" }]);
    expect(await (await openDrive()).create("claims/run-1.json", Buffer.from("claim-a"))).toBe("created");
  });

  it("answers exists without writing when the name is already taken", async () => {
    folders();
    lookup("F-claims", "run-1.json", false, [{ id: "1other", name: "run-1.json", mimeType: "application/json" }]);
    expect(await (await openDrive()).create("claims/run-1.json", Buffer.from("claim-b"))).toBe("exists");
  });

  it("loses to an older same-named file created meanwhile by another instance, and deletes its own", async () => {
    folders();
    lookup("F-claims", "run-1.json", false, []);
    generateIds("1gen-B");
    createWith("1gen-B", "claim-b");
    sameNamed([
      { id: "1gen-B", createdTime: "2026-12-06T23:00:00.200Z" },
      { id: "1gen-A", createdTime: "2026-12-06T23:00:00.100Z" },
    ]);
    api().delete("/drive/v3/files/1gen-B").query({ supportsAllDrives: "true" }).reply(204);
    expect(await (await openDrive()).create("claims/run-1.json", Buffer.from("claim-b"))).toBe("exists");
  });

  it("a retried create that Drive refuses for its own id (409) counts as created: one caller never makes two files", async () => {
    folders();
    lookup("F-claims", "run-1.json", false, []);
    generateIds("1gen-C");
    createWith("1gen-C", "claim-c", 503); // the first try landed, but its answer was an error
    createWith("1gen-C", "claim-c", 409);
    sameNamed([{ id: "1gen-C", createdTime: "2026-12-06T23:00:00.000Z" }]);
    expect(await (await openDrive()).create("claims/run-1.json", Buffer.from("claim-c"))).toBe("created");
  });
});
