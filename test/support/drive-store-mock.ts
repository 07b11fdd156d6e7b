import { createHash } from "node:crypto";
import nock from "nock";
import { afterEach, beforeEach, expect } from "vitest";

/**
 * nock interceptors for the Drive v3 requests the Drive store (src/storage/drive-store.ts) makes
 * through the real @googleapis/drive client, each matching the exact method, path and whole query.
 * Review copies have their own in drive-mock.ts.
 */

export const DRIVE_API = "https://www.googleapis.com";
export const DRIVE_FOLDER = "application/vnd.google-apps.folder";
/** The fields the store asks for on every file it looks up or lists. */
export const DRIVE_FILE_FIELDS = "id,name,mimeType,size,md5Checksum,appProperties,modifiedTime";
/** OAuth credentials as a user's NBTRAIN_GDRIVE_CREDENTIALS holds them; the secrets must never show. */
export const DRIVE_OAUTH = { type: "authorized_user", client_id: "cid.apps.googleusercontent.com", client_secret: "very-secret-client-secret", refresh_token: "1//refresh-secret" };
export const DRIVE_ACCESS_TOKEN = "ya29.token-1";

/**
 * Network off but loopback, every unmatched request recorded, and interceptors cleared after each
 * test. Call `expectExactRequests()` where a test wants every interceptor used and nothing
 * unmatched, or pass `exactAfterEach` to have it checked after every test.
 */
export function useDriveStoreMock(options: { exactAfterEach?: boolean } = {}): { expectExactRequests: () => void; unmatched: () => string[] } {
  let unmatched: string[] = [];
  const onNoMatch = (req: { method?: string; path?: string; href?: string }) => unmatched.push(`${req.method} ${req.href ?? req.path}`);
  const expectExactRequests = () => {
    expect(unmatched).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
  };
  beforeEach(() => {
    unmatched = [];
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/u);
    nock.emitter.on("no match", onNoMatch);
  });
  afterEach(() => {
    try {
      if (options.exactAfterEach) expectExactRequests();
    } finally {
      // Cleared even when the check fails, so one test's leftovers never fail the next.
      nock.emitter.removeListener("no match", onNoMatch);
      nock.cleanAll();
      nock.enableNetConnect();
    }
  });
  return { expectExactRequests, unmatched: () => unmatched };
}

/** The refresh-token grant for {@link DRIVE_OAUTH}, answered with `token`. */
export function expectRefreshToken(token = DRIVE_ACCESS_TOKEN): void {
  nock("https://oauth2.googleapis.com")
    .post("/token", (body: Record<string, string>) =>
      body.grant_type === "refresh_token" && body.refresh_token === DRIVE_OAUTH.refresh_token && body.client_id === DRIVE_OAUTH.client_id,
    )
    .reply(200, { access_token: token, expires_in: 3600, token_type: "Bearer" });
}

/** Drive API requests that carry `token`. */
export function driveApi(token = DRIVE_ACCESS_TOKEN): nock.Scope {
  return nock(DRIVE_API, { reqheaders: { authorization: `Bearer ${token}` } });
}

/** A `files.list` lookup of one child by name, as the store issues it. */
export function expectLookup(parent: string, name: string, folder: boolean, files: object[], token = DRIVE_ACCESS_TOKEN): void {
  driveApi(token)
    .get("/drive/v3/files")
    .query({
      q: `'${parent}' in parents and name = '${name.replace(/'/gu, "\\'")}' and mimeType ${folder ? "=" : "!="} '${DRIVE_FOLDER}' and trashed = false`,
      fields: `files(${DRIVE_FILE_FIELDS})`,
      orderBy: "modifiedTime desc",
      pageSize: "10",
      spaces: "drive",
      supportsAllDrives: "true",
      includeItemsFromAllDrives: "true",
    })
    .reply(200, { files });
}

/** One page of a folder's children, as the store's recursive listing asks for it; reply with `.reply(…)`. */
export function expectChildren(parent: string, pageToken?: string, token = DRIVE_ACCESS_TOKEN): nock.Interceptor {
  return driveApi(token)
    .get("/drive/v3/files")
    .query({
      q: `'${parent}' in parents and trashed = false`,
      fields: `nextPageToken, files(${DRIVE_FILE_FIELDS})`,
      orderBy: "modifiedTime desc",
      pageSize: "1000",
      spaces: "drive",
      supportsAllDrives: "true",
      includeItemsFromAllDrives: "true",
      ...(pageToken ? { pageToken } : {}),
    });
}

/** The download of a file's content; reply with `.reply(…)`. */
export function expectMedia(fileId: string, token = DRIVE_ACCESS_TOKEN): nock.Interceptor {
  return driveApi(token).get(`/drive/v3/files/${fileId}`).query({ alt: "media", supportsAllDrives: "true" });
}

/** A file as Drive lists it: its size and md5Checksum, and the appProperties nbtrain writes when given. */
export function driveFile(id: string, name: string, bytes: Uint8Array, appProperties?: object) {
  return { id, name, mimeType: "application/octet-stream", size: String(bytes.length), md5Checksum: md5(bytes), ...(appProperties ? { appProperties } : {}) };
}

export const driveFolder = (id: string, name: string) => ({ id, name, mimeType: DRIVE_FOLDER });

export const md5 = (bytes: Uint8Array | string) => createHash("md5").update(bytes).digest("hex");
export const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
