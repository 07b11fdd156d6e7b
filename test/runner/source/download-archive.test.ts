import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { downloadArchive } from "../../../src/runner/source/download-archive.js";
import { SourceError } from "../../../src/runner/source/source-error.js";

const API = "https://api.github.com";
const CODELOAD = "https://codeload.github.com";
const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const TOKEN = "ghs_JobTokenForDownloadTests0123456789";
const TARBALL_PATH = `/repos/octo/ml/tarball/${SHA}`;
const CODELOAD_PATH = `/octo/ml/legacy.tar.gz/${SHA}`;
const BODY = Buffer.from("gzip bytes stand-in ".repeat(4000));

let dir: string;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/u);
});
afterAll(() => nock.enableNetConnect());
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-download-"));
});
afterEach(async () => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
  await rm(dir, { recursive: true, force: true });
});

const redirect = () =>
  nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
    .get(TARBALL_PATH)
    .reply(302, "", { location: `${CODELOAD}${CODELOAD_PATH}?token=CODELOADTOKEN` });

const options = () => ({ url: `${API}${TARBALL_PATH}`, token: TOKEN, file: path.join(dir, "source.tar.gz"), maxBytes: 10_000_000, backoffMs: () => 5 });

describe("downloadArchive", () => {
  it("follows GitHub's 302 to codeload, sending the token to the API host only", async () => {
    redirect();
    nock(CODELOAD, { badheaders: ["authorization"] }).get(CODELOAD_PATH).query({ token: "CODELOADTOKEN" }).reply(200, BODY);
    const result = await downloadArchive(options());
    expect(result).toMatchObject({ size: BODY.length, tries: 1, sha256: createHash("sha256").update(BODY).digest("hex") });
    expect(readFileSync(result.file).equals(BODY)).toBe(true);
  });

  it("retries a download that breaks off midway, and keeps only the complete file", async () => {
    redirect();
    nock(CODELOAD)
      .get(CODELOAD_PATH)
      .query(true)
      .reply(200, () => {
        const body = new PassThrough();
        body.write(BODY.subarray(0, 20_000));
        setTimeout(() => body.destroy(new Error("connection reset by peer")), 10);
        return body;
      });
    redirect();
    nock(CODELOAD).get(CODELOAD_PATH).query(true).reply(200, BODY);
    const result = await downloadArchive(options());
    expect(result.tries).toBe(2);
    expect(readFileSync(result.file).equals(BODY)).toBe(true);
  });

  it("retries a 502 and gives up after the bounded number of tries", async () => {
    nock(API).get(TARBALL_PATH).times(3).reply(502, "Bad Gateway");
    const error = await downloadArchive(options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toMatch(/after 3 tries \(last: GitHub answered the archive download with HTTP 502\)/u);
  });

  it("fails at once, without retrying, on a commit that no longer exists", async () => {
    nock(API).get(TARBALL_PATH).reply(404, { message: "Not Found" });
    const error = (await downloadArchive(options()).catch((caught: unknown) => caught)) as SourceError;
    expect(error.code).toBe("not-found");
    expect(error.message).toMatch(/force-pushed away/u);
  });

  it("fails at once on an expired token, and never names the token", async () => {
    nock(API).get(TARBALL_PATH).reply(401, { message: "Bad credentials" });
    const error = (await downloadArchive(options()).catch((caught: unknown) => caught)) as SourceError;
    expect(error.code).toBe("unauthorized");
    expect(error.message).not.toContain(TOKEN);
  });

  it("refuses an archive over the download cap while it streams", async () => {
    redirect();
    nock(CODELOAD).get(CODELOAD_PATH).query(true).reply(200, () => {
      const body = new PassThrough();
      body.end(BODY);
      return body;
    });
    const error = (await downloadArchive({ ...options(), maxBytes: 1000 }).catch((caught: unknown) => caught)) as SourceError;
    expect(error.code).toBe("too-large");
  });
});
