import { StoreError } from "./store-error.js";

/** A parsed store URI; no I/O has happened yet, so a CLI can reject bad input before writing. */
export type StoreLocation =
  | { kind: "file"; path: string; absolute: boolean }
  | {
      kind: "s3";
      bucket: string;
      prefix: string;
      endpoint?: string;
      region?: string;
      forcePathStyle?: boolean;
    }
  | { kind: "gdrive"; root: { kind: "my-drive" } | { kind: "folder"; id: string }; folders: string[] };

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DRIVE_ID = /^[A-Za-z0-9_-]{10,}$/;

function invalid(uri: string, why: string): never {
  throw new StoreError(
    "invalid-uri",
    `Invalid store URI ${JSON.stringify(redactUri(uri))}: ${why}. Expected file://PATH, s3://BUCKET/PREFIX or gdrive://MyDrive/FOLDER/....`,
  );
}

/** Drops anything credential-like (user info, query values other than known-safe ones) for logs. */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z0-9]+:\/\/)[^/@]*@/i, "$1***@");
}

function splitSegments(uri: string, raw: string, what: string): string[] {
  if (raw === "") return [];
  const segments = raw.replace(/\/+$/, "").split("/");
  for (const segment of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      invalid(uri, `the ${what} has a malformed %-escape`);
    }
    if (decoded === "" ) invalid(uri, `the ${what} has an empty segment`);
    if (decoded === "." || decoded === "..") invalid(uri, `the ${what} has a "${decoded}" segment`);
    if (decoded.includes("/") || decoded.includes("\\")) invalid(uri, `the ${what} has a slash inside a segment`);
  }
  return segments.map((s) => decodeURIComponent(s).normalize("NFC"));
}

/**
 * Parses `file://PATH`, `s3://bucket/prefix[?endpoint=URL&region=R&forcePathStyle=true]` or
 * `gdrive://MyDrive/a/b` / `gdrive://folder/FOLDER_ID/a/b`. Throws `StoreError` (`invalid-uri`).
 */
export function parseStoreUri(uri: string): StoreLocation {
  if (typeof uri !== "string" || uri.trim() === "") invalid(String(uri), "it is empty");
  if (CONTROL.test(uri)) invalid(uri, "it contains a control character");
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(uri);
  if (!match) invalid(uri, "it has no scheme");
  const scheme = match[1]!.toLowerCase();
  const rest = match[2]!;

  if (scheme === "file") {
    if (rest.includes("?") || rest.includes("#")) invalid(uri, "a file URI takes no query or fragment");
    if (rest === "") invalid(uri, "the path is empty");
    let decoded: string;
    try {
      decoded = decodeURIComponent(rest);
    } catch {
      invalid(uri, "the path has a malformed %-escape");
    }
    // file:///abs is absolute; file://rel/dir is relative to the caller's base folder.
    return { kind: "file", path: decoded, absolute: decoded.startsWith("/") };
  }

  if (scheme === "s3") {
    if (rest.includes("#")) invalid(uri, "an s3 URI takes no fragment");
    const [location = "", query = ""] = rest.split("?", 2) as [string, string?];
    const slash = location.indexOf("/");
    const bucket = slash === -1 ? location : location.slice(0, slash);
    if (bucket.includes("@")) invalid(uri, "credentials do not belong in the URI; use the AWS credential chain");
    if (!BUCKET.test(bucket) || bucket.includes("..")) invalid(uri, `"${bucket}" is not a valid bucket name`);
    const prefix = splitSegments(uri, slash === -1 ? "" : location.slice(slash + 1), "prefix").join("/");
    const result: StoreLocation = { kind: "s3", bucket, prefix };
    for (const [name, value] of new URLSearchParams(query)) {
      if (name === "endpoint") {
        let url: URL;
        try {
          url = new URL(value);
        } catch {
          invalid(uri, `endpoint "${value}" is not a URL`);
        }
        if (url.protocol !== "http:" && url.protocol !== "https:") invalid(uri, "the endpoint must be http:// or https://");
        if (url.username || url.password) invalid(uri, "credentials do not belong in the endpoint");
        result.endpoint = value;
      } else if (name === "region") {
        if (!/^[a-z0-9-]{2,32}$/.test(value)) invalid(uri, `"${value}" is not a region`);
        result.region = value;
      } else if (name === "forcePathStyle") {
        if (value !== "true" && value !== "false") invalid(uri, "forcePathStyle is true or false");
        result.forcePathStyle = value === "true";
      } else {
        invalid(uri, `unknown parameter "${name}" (known: endpoint, region, forcePathStyle)`);
      }
    }
    return result;
  }

  if (scheme === "gdrive") {
    if (rest.includes("?") || rest.includes("#")) invalid(uri, "a gdrive URI takes no query or fragment");
    const segments = splitSegments(uri, rest, "path");
    const [first, ...more] = segments;
    if (first === "MyDrive") return { kind: "gdrive", root: { kind: "my-drive" }, folders: more };
    if (first === "folder") {
      const [id, ...folders] = more;
      if (id === undefined || !DRIVE_ID.test(id)) invalid(uri, "gdrive://folder/ must be followed by a Drive folder id");
      return { kind: "gdrive", root: { kind: "folder", id }, folders };
    }
    invalid(uri, 'a Drive path starts with "MyDrive/" (as under /content/drive/MyDrive in Colab) or "folder/FOLDER_ID/"');
  }

  invalid(uri, `unknown scheme "${scheme}"`);
}
