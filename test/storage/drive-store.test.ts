import { generateKeyPairSync } from "node:crypto";
import { Readable } from "node:stream";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { createDriveStore, type DriveStore } from "../../src/storage/drive-store.js";
import { openStore } from "../../src/storage/open-store.js";
import { parseStoreUri, type StoreLocation } from "../../src/storage/parse-store-uri.js";
import {
  DRIVE_FILE_FIELDS as FIELDS,
  DRIVE_FOLDER as FOLDER,
  DRIVE_OAUTH as OAUTH,
  driveApi as api,
  driveFile as fileEntry,
  expectChildren,
  expectLookup,
  expectRefreshToken,
  md5,
  sha256,
  useDriveStoreMock,
} from "../support/drive-store-mock.js";
import { digestStream } from "./pattern-stream.js";

const API = "https://www.googleapis.com";
const SESSION = "/upload/drive/v3/files?uploadType=resumable&upload_id=SESSION-1";

const { expectExactRequests, unmatched } = useDriveStoreMock();

function expectCreateFolder(parent: string, name: string, id: string): void {
  api()
    .post("/drive/v3/files", { name, mimeType: FOLDER, parents: [parent] })
    .query({ supportsAllDrives: "true", fields: "id" })
    .reply(200, { id });
}

function expectRecordHash(fileId: string, bytes: Buffer): void {
  api()
    .patch(`/drive/v3/files/${fileId}`, { appProperties: { sha256: sha256(bytes), md5: md5(bytes) } })
    .query({ supportsAllDrives: "true", fields: "id" })
    .reply(200, { id: fileId });
}

/** The base folders of gdrive://MyDrive/nbtrain/runs, both existing. */
function expectBase(): void {
  expectLookup("root", "nbtrain", true, [{ id: "F-nbtrain", name: "nbtrain", mimeType: FOLDER }]);
  expectLookup("F-nbtrain", "runs", true, [{ id: "F-runs", name: "runs", mimeType: FOLDER }]);
}

async function openDrive(env: NodeJS.ProcessEnv = {}): Promise<DriveStore> {
  const location = parseStoreUri("gdrive://MyDrive/nbtrain/runs") as Extract<StoreLocation, { kind: "gdrive" }>;
  return createDriveStore(location, { NBTRAIN_GDRIVE_CREDENTIALS: JSON.stringify(OAUTH), NBTRAIN_GDRIVE_CHUNK_KIB: "256", ...env });
}

/** nock hands binary bodies over hex-encoded and text bodies as they are. */
const sameBytes = (sent: string, expected: Buffer) => Buffer.from(sent, "hex").equals(expected) || Buffer.from(sent).equals(expected);

const pattern = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + (i >> 8)) & 0xff));

describe("DriveStore with the real @googleapis/drive client", () => {
  it("creates the MyDrive folders and uploads a new file in resumable chunks, resuming after a 503", async () => {
    const bytes = pattern(600 * 1024);
    const K = 256 * 1024;
    expectRefreshToken();
    expectLookup("root", "nbtrain", true, []);
    expectCreateFolder("root", "nbtrain", "F-nbtrain");
    expectLookup("F-nbtrain", "runs", true, [{ id: "F-runs", name: "runs", mimeType: FOLDER }]);
    expectLookup("F-runs", "ckpt", true, []);
    expectCreateFolder("F-runs", "ckpt", "F-ckpt");
    expectLookup("F-ckpt", "model.pt", false, []);
    api()
      .post("/upload/drive/v3/files", { name: "model.pt", parents: ["F-ckpt"] })
      .query({ uploadType: "resumable", supportsAllDrives: "true", fields: FIELDS })
      .matchHeader("x-upload-content-type", "application/octet-stream")
      .reply(200, {}, { Location: `${API}${SESSION}` });
    const chunk = (range: string, body: Buffer) =>
      api().put(SESSION, (sent: string) => sameBytes(sent, body)).matchHeader("content-range", range);
    const status = (range: string) => api().put(SESSION).matchHeader("content-range", range);
    chunk(`bytes 0-${K - 1}/*`, bytes.subarray(0, K)).reply(308, "", { Range: `bytes=0-${K - 1}` });
    chunk(`bytes ${K}-${2 * K - 1}/*`, bytes.subarray(K, 2 * K)).reply(503, "backend error");
    status("bytes */*").reply(308, "", { Range: `bytes=0-${K - 1}` });
    chunk(`bytes ${K}-${2 * K - 1}/*`, bytes.subarray(K, 2 * K)).reply(308, "", { Range: `bytes=0-${2 * K - 1}` });
    chunk(`bytes ${2 * K}-${bytes.length - 1}/${bytes.length}`, bytes.subarray(2 * K)).reply(200, fileEntry("FILE-1", "model.pt", bytes));
    expectRecordHash("FILE-1", bytes);

    const store = await openDrive();
    expect(store.uri).toBe("gdrive://MyDrive/nbtrain/runs");
    expect(await store.put("ckpt/model.pt", bytes)).toEqual({ key: "ckpt/model.pt", size: bytes.length, sha256: sha256(bytes) });
    expectExactRequests();
  });

  it("uploads a new revision of an existing file with a resumable PATCH session", async () => {
    const bytes = Buffer.from("epoch 2 weights");
    expectRefreshToken();
    expectBase();
    expectLookup("F-runs", "result.json", false, [fileEntry("FILE-2", "result.json", Buffer.from("old"))]);
    api()
      .patch("/upload/drive/v3/files/FILE-2", {})
      .query({ uploadType: "resumable", supportsAllDrives: "true", fields: FIELDS })
      .reply(200, {}, { Location: `${API}${SESSION}` });
    api()
      .put(SESSION, (sent: string) => sameBytes(sent, bytes))
      .matchHeader("content-range", `bytes 0-${bytes.length - 1}/${bytes.length}`)
      .reply(200, fileEntry("FILE-2", "result.json", bytes));
    expectRecordHash("FILE-2", bytes);

    const store = await openDrive();
    expect(await store.put("result.json", bytes, { contentType: "application/json", sha256: sha256(bytes) })).toMatchObject({ size: bytes.length });
    expectExactRequests();
  });

  it("gets a file with alt=media and verifies it against the sha256 in appProperties", async () => {
    const bytes = pattern(5000);
    expectRefreshToken();
    expectBase();
    expectLookup("F-runs", "ckpt", true, [{ id: "F-ckpt", name: "ckpt", mimeType: FOLDER }]);
    expectLookup("F-ckpt", "model.pt", false, [fileEntry("FILE-1", "model.pt", bytes, { sha256: sha256(bytes), md5: md5(bytes) })]);
    api().get("/drive/v3/files/FILE-1").query({ alt: "media", supportsAllDrives: "true" }).reply(200, bytes);
    const store = await openDrive();
    expect(await digestStream(await store.get("ckpt/model.pt"))).toEqual({ size: 5000, sha256: sha256(bytes) });
    expectExactRequests();
  });

  /** A response body that sends `part`, then drops the connection. */
  const cutAfter = (part: Buffer) => () => {
    let sent = false;
    return new Readable({
      read() {
        if (sent) this.destroy(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
        else this.push(part);
        sent = true;
      },
    });
  };

  function expectColabFile(bytes: Buffer): void {
    expectRefreshToken();
    expectBase();
    expectLookup("F-runs", "ckpt", true, [{ id: "F-ckpt", name: "ckpt", mimeType: FOLDER }]);
    // Written by Colab: only Drive's md5 vouches for it.
    expectLookup("F-ckpt", "model.pt", false, [fileEntry("FILE-1", "model.pt", bytes)]);
  }

  const media = () => api().get("/drive/v3/files/FILE-1").query({ alt: "media", supportsAllDrives: "true" });
  const rangedMedia = (from: number) => media().matchHeader("range", `bytes=${from}-`);

  it("resumes a download cut in the middle with a ranged get, and still checks the whole file against Drive's md5", async () => {
    const bytes = pattern(50_000);
    expectColabFile(bytes);
    media().reply(200, cutAfter(bytes.subarray(0, 20_000)));
    rangedMedia(20_000).reply(206, cutAfter(bytes.subarray(20_000, 35_000)), { "Content-Range": `bytes 20000-49999/50000` });
    rangedMedia(35_000).reply(206, bytes.subarray(35_000), { "Content-Range": `bytes 35000-49999/50000` });
    const store = await openDrive();
    expect(await digestStream(await store.get("ckpt/model.pt"))).toEqual({ size: 50_000, sha256: sha256(bytes) });
    expectExactRequests();
  });

  it("never splices two versions: a file replaced before the resume fails its checksum", async () => {
    const bytes = pattern(50_000);
    const replaced = Buffer.from(bytes).fill(7, 30_000);
    expectColabFile(bytes);
    media().reply(200, cutAfter(bytes.subarray(0, 20_000)));
    rangedMedia(20_000).reply(206, replaced.subarray(20_000), { "Content-Range": `bytes 20000-49999/50000` });
    const store = await openDrive();
    await expect(digestStream(await store.get("ckpt/model.pt"))).rejects.toMatchObject({ code: "integrity" });
    expectExactRequests();
  });

  it("gives up after the store's attempts when every resume is cut too, and says the connection dropped", async () => {
    const bytes = pattern(50_000);
    expectColabFile(bytes);
    // The first get and four resumes, 8 kB each: the store's 5 attempts.
    media().reply(200, cutAfter(bytes.subarray(0, 8_000)));
    for (let k = 1; k <= 4; k++) {
      rangedMedia(8_000 * k).reply(206, cutAfter(bytes.subarray(8_000 * k, 8_000 * (k + 1))), { "Content-Range": `bytes ${8_000 * k}-49999/50000` });
    }
    const store = await openDrive();
    await expect(digestStream(await store.get("ckpt/model.pt"))).rejects.toMatchObject({
      code: "unavailable",
      message: expect.stringMatching(/the connection dropped 5 times, the last after 40000 of 50000 bytes \(aborted \(ECONNRESET\)\)\. Try again later\./u),
    });
    expectExactRequests();
  });

  it("fails the get stream when the downloaded bytes do not match the recorded hash", async () => {
    const bytes = pattern(5000);
    const corrupt = Buffer.from(bytes);
    corrupt[100] = (bytes[100] ?? 0) ^ 0xff;
    expectRefreshToken();
    expectBase();
    expectLookup("F-runs", "model.pt", false, [fileEntry("FILE-1", "model.pt", bytes, { sha256: sha256(bytes), md5: md5(bytes) })]);
    api().get("/drive/v3/files/FILE-1").query({ alt: "media", supportsAllDrives: "true" }).reply(200, corrupt);
    const store = await openDrive();
    await expect(digestStream(await store.get("model.pt"))).rejects.toMatchObject({ code: "integrity" });
    expectExactRequests();
  });

  it("trusts a recorded sha256 only for the revision it was taken from, and checks Drive's md5 otherwise", async () => {
    // Replaced in Colab after our put: appProperties still describe the old bytes.
    const old = Buffer.from("old weights");
    const current = Buffer.from("weights saved from Colab");
    expectRefreshToken();
    expectBase();
    expectLookup("F-runs", "model.pt", false, [fileEntry("FILE-1", "model.pt", current, { sha256: sha256(old), md5: md5(old) })]);
    api().get("/drive/v3/files/FILE-1").query({ alt: "media", supportsAllDrives: "true" }).reply(200, current);
    const store = await openDrive();
    expect(await store.head("model.pt")).toEqual({ key: "model.pt", size: current.length, sha256: sha256(current) });
    expectExactRequests();
  });

  it("lists recursively with q queries across pages, sorted, newest duplicate first", async () => {
    const a = Buffer.from("a");
    const b = Buffer.from("bb");
    const c = Buffer.from("ccc");
    const props = (x: Buffer) => ({ sha256: sha256(x), md5: md5(x) });
    expectRefreshToken();
    expectBase();
    expectChildren("F-runs").reply(200, {
      nextPageToken: "page-2",
      files: [{ id: "F-ckpt", name: "ckpt", mimeType: FOLDER }, fileEntry("R", "result.json", c, props(c))],
    });
    expectChildren("F-runs", "page-2").reply(200, { files: [{ id: "DOC", name: "notes", mimeType: "application/vnd.google-apps.document" }] });
    expectChildren("F-ckpt").reply(200, {
      files: [fileEntry("B2", "b.pt", b, props(b)), fileEntry("B1", "b.pt", a, props(a)), fileEntry("A", "a.pt", a, props(a)), fileEntry("X", "bad\\name", a, props(a)), fileEntry("Y", "a/b", a, props(a))],
    });
    const store = await openDrive();
    expect(await store.list("")).toEqual([
      { key: "ckpt/a.pt", size: 1, sha256: sha256(a) },
      { key: "ckpt/b.pt", size: 2, sha256: sha256(b) },
      { key: "result.json", size: 3, sha256: sha256(c) },
    ]);
    expectExactRequests();
  });

  it("lists the sizes of files Colab wrote without downloading them, where list reads each one to hash it", async () => {
    const weights = Buffer.alloc(4096, 7);
    expectRefreshToken();
    expectBase();
    // No appProperties: written by Colab, not by nbtrain, so only Drive's md5 vouches for it.
    expectChildren("F-runs").reply(200, { files: [fileEntry("W", "weights.pt", weights), fileEntry("O", "opt.pt", Buffer.from("opt"))] });
    const store = await openDrive();
    expect(await store.listSizes("")).toEqual([
      { key: "opt.pt", size: 3 },
      { key: "weights.pt", size: 4096 },
    ]);
    expectExactRequests(); // no alt=media download was made
    expectChildren("F-runs").reply(200, { files: [fileEntry("W", "weights.pt", weights)] });
    api().get("/drive/v3/files/W").query({ alt: "media", supportsAllDrives: "true" }).reply(200, weights);
    expect(await store.list("")).toEqual([{ key: "weights.pt", size: 4096, sha256: sha256(weights) }]);
    expectExactRequests();
  });

  it("returns nothing for a missing folder without creating it, and deletes a file", async () => {
    expectRefreshToken();
    expectBase();
    expectLookup("F-runs", "nothing", true, []);
    expectLookup("F-runs", "ckpt", true, [{ id: "F-ckpt", name: "ckpt", mimeType: FOLDER }]);
    expectLookup("F-ckpt", "old.pt", false, [fileEntry("OLD", "old.pt", Buffer.from("x"))]);
    api().delete("/drive/v3/files/OLD").query({ supportsAllDrives: "true" }).reply(204);
    const store = await openDrive();
    expect(await store.list("nothing/")).toEqual([]);
    await store.delete("ckpt/old.pt");
    expectExactRequests();
  });

  it("tries a failing request as often as its own retry policy says (5 times), with no client retries hidden beneath", async () => {
    expectRefreshToken();
    api()
      .get("/drive/v3/files")
      .query((query) => query.q === `'root' in parents and name = 'nbtrain' and mimeType = '${FOLDER}' and trashed = false`)
      .times(5)
      .reply(503, { error: { code: 503, message: "Backend Error", errors: [{ reason: "backendError" }] } });
    const store = await openDrive();
    await expect(store.head("ckpt/model.pt")).rejects.toMatchObject({ code: "unavailable", message: expect.stringContaining("Drive answered HTTP 503 on every attempt") });
    expectExactRequests();
  });

  it("cancels the session and writes nothing when the bytes do not match the announced hash", async () => {
    expectRefreshToken();
    expectBase();
    expectLookup("F-runs", "model.pt", false, []);
    api()
      .post("/upload/drive/v3/files", { name: "model.pt", parents: ["F-runs"] })
      .query(true)
      .reply(200, {}, { Location: `${API}${SESSION}` });
    api().delete(SESSION).reply(499);
    const store = await openDrive();
    await expect(store.put("model.pt", Buffer.from("abc"), { sha256: sha256("abd") })).rejects.toMatchObject({ code: "integrity" });
    expectExactRequests(); // no PUT of any chunk, no metadata update
  });

  it("an upload cut in the middle never becomes a file: the session is cancelled before its last chunk", async () => {
    const K = 256 * 1024;
    const first = pattern(K);
    expectRefreshToken();
    expectBase();
    expectLookup("F-runs", "model.pt", false, []);
    api()
      .post("/upload/drive/v3/files", { name: "model.pt", parents: ["F-runs"] })
      .query(true)
      .reply(200, {}, { Location: `${API}${SESSION}` });
    api()
      .put(SESSION, (sent: string) => sameBytes(sent, first))
      .matchHeader("content-range", `bytes 0-${K - 1}/*`)
      .reply(308, "", { Range: `bytes=0-${K - 1}` });
    api().delete(SESSION).reply(499);
    let sent = 0;
    const dying = new Readable({
      read() {
        // One full chunk and a bit, then the source dies (a killed writer, a lost disk).
        if (sent === 0) this.push(first);
        else if (sent === 1) this.push(Buffer.alloc(1000, 7));
        else this.destroy(new Error("source went away"));
        sent++;
      },
    });
    const store = await openDrive();
    await expect(store.put("model.pt", dying)).rejects.toThrow(/source went away/);
    expectExactRequests(); // no final chunk with the total size, no appProperties update
  });

  it("rejects keys that would escape the store before any request", async () => {
    expectRefreshToken();
    const store = await openDrive();
    for (const key of ["../x", "/abs", "a\\b", "a//b", "x\u0000"]) {
      await expect(store.put(key, Buffer.from("x"))).rejects.toMatchObject({ code: "invalid-key" });
    }
    expect(unmatched()).toEqual([]);
    expect(nock.pendingMocks()).toHaveLength(1); // the token was never even needed
  });
});

describe("Drive credentials", () => {
  it("signs in as a service account with a JWT bearer grant", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const key = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    let claims: Record<string, unknown> | undefined;
    nock("https://oauth2.googleapis.com")
      .post("/token", (body: Record<string, string>) => {
        if (body.grant_type !== "urn:ietf:params:oauth:grant-type:jwt-bearer") return false;
        claims = JSON.parse(Buffer.from(body.assertion!.split(".")[1]!, "base64url").toString());
        return true;
      })
      .reply(200, { access_token: "ya29.token-1", expires_in: 3600, token_type: "Bearer" });
    expectLookup("root", "nbtrain", true, []);
    const store = await openStore("gdrive://MyDrive/nbtrain/runs", {
      baseDir: "/",
      env: { NBTRAIN_GDRIVE_CREDENTIALS: JSON.stringify({ type: "service_account", client_email: "bot@proj.iam.gserviceaccount.com", private_key: key }) },
    });
    expect(await store.list("")).toEqual([]);
    expect(claims).toMatchObject({ iss: "bot@proj.iam.gserviceaccount.com", scope: "https://www.googleapis.com/auth/drive" });
    expectExactRequests();
  });

  it("explains missing or malformed credentials without echoing secrets", async () => {
    const location = parseStoreUri("gdrive://MyDrive/x") as Extract<StoreLocation, { kind: "gdrive" }>;
    await expect(createDriveStore(location, {})).rejects.toMatchObject({ code: "credentials", message: expect.stringMatching(/NBTRAIN_GDRIVE_CREDENTIALS/) });
    await expect(createDriveStore(location, { NBTRAIN_GDRIVE_CREDENTIALS: "{not json very-secret" })).rejects.toThrow(/^(?![\s\S]*very-secret)[\s\S]*not JSON/);
    const partial = { type: "authorized_user", client_id: "cid", client_secret: "very-secret" };
    await expect(createDriveStore(location, { NBTRAIN_GDRIVE_CREDENTIALS: JSON.stringify(partial) })).rejects.toThrow(
      /^(?![\s\S]*very-secret)[\s\S]*refresh_token/,
    );
    await expect(createDriveStore(location, { NBTRAIN_GDRIVE_CREDENTIALS_FILE: "/nonexistent/creds.json" })).rejects.toMatchObject({ code: "credentials" });
  });

  it("reports a revoked refresh token as a credentials error", async () => {
    nock("https://oauth2.googleapis.com").post("/token").reply(400, { error: "invalid_grant", error_description: "Token has been expired or revoked." });
    const store = await openDrive();
    await expect(store.head("x")).rejects.toMatchObject({ code: "credentials" });
    expectExactRequests();
  });
});
