import { describe, expect, it } from "vitest";
import { parseStoreUri, redactUri } from "../../src/storage/parse-store-uri.js";

describe("parseStoreUri", () => {
  it("parses file URIs, relative and absolute", () => {
    expect(parseStoreUri("file://.nbtrain")).toEqual({ kind: "file", path: ".nbtrain", absolute: false });
    expect(parseStoreUri("file:///tmp/a%20b")).toEqual({ kind: "file", path: "/tmp/a b", absolute: true });
  });

  it("parses s3 URIs with an endpoint override", () => {
    expect(parseStoreUri("s3://my-bucket/nbtrain/runs/?endpoint=http://127.0.0.1:4568&region=eu-west-1&forcePathStyle=true")).toEqual({
      kind: "s3",
      bucket: "my-bucket",
      prefix: "nbtrain/runs",
      endpoint: "http://127.0.0.1:4568",
      region: "eu-west-1",
      forcePathStyle: true,
    });
    expect(parseStoreUri("s3://b12")).toEqual({ kind: "s3", bucket: "b12", prefix: "" });
  });

  it("parses Drive URIs that mirror /content/drive/MyDrive", () => {
    expect(parseStoreUri("gdrive://MyDrive/nbtrain/runs")).toEqual({ kind: "gdrive", root: { kind: "my-drive" }, folders: ["nbtrain", "runs"] });
    expect(parseStoreUri("gdrive://MyDrive/My%20Models")).toEqual({ kind: "gdrive", root: { kind: "my-drive" }, folders: ["My Models"] });
    expect(parseStoreUri("gdrive://folder/1AbCdEfGhIjKlMnOp/ckpt")).toEqual({
      kind: "gdrive",
      root: { kind: "folder", id: "1AbCdEfGhIjKlMnOp" },
      folders: ["ckpt"],
    });
  });

  it.each([
    ["", /empty/],
    ["/tmp/store", /no scheme/],
    ["ftp://x/y", /unknown scheme "ftp"/],
    ["s3://UPPER/x", /not a valid bucket/],
    ["s3://b12/a/../x", /"\.\." segment/],
    ["s3://b12/x?endpoint=notaurl", /not a URL/],
    ["s3://b12/x?endpoint=ftp://h", /http/],
    ["s3://b12/x?secret=1", /unknown parameter "secret"/],
    ["s3://key:secret@b12/x", /credentials do not belong|not a valid bucket/],
    ["gdrive://Elsewhere/x", /starts with "MyDrive\/"/],
    ["gdrive://MyDrive/a//b", /empty segment/],
    ["gdrive://folder/", /folder id/],
    ["file://a\u0000b", /control/],
  ])("rejects %j", (uri, why) => {
    expect(() => parseStoreUri(uri)).toThrow(why);
  });

  it("never echoes credentials in its errors", () => {
    expect(redactUri("s3://AKIA:secret@bucket/x")).toBe("s3://***@bucket/x");
    expect(() => parseStoreUri("s3://AKIA:secret@bucket/x")).toThrow(/^(?![\s\S]*secret)/);
  });
});
