import nock from "nock";
import { afterEach, beforeEach, expect } from "vitest";
import type { ExistingPermission } from "../../src/review-copies/plan/grant.js";
import type { ShareDeps } from "../../src/review-copies/share-review-copies.js";
import { createGoogleReviewCopyDrive } from "../../src/storage/google-review-copy-drive.js";

/**
 * nock interceptors for the Drive v3 calls review copies make, each matching the exact request:
 * method, path, the whole query (the `q` on appProperties included) and the body. Multipart
 * uploads are split into their metadata and media parts, so a test asserts both.
 */

export const DRIVE = "https://www.googleapis.com";
export const OAUTH = { type: "authorized_user" as const, client_id: "cid.apps.googleusercontent.com", client_secret: "very-secret", refresh_token: "1//refresh-share" };
export const ACCESS_TOKEN = "ya29.share-token";
export const FOLDER = "application/vnd.google-apps.folder";
export const PERMISSION_FIELDS = "nextPageToken, permissions(id, type, role, emailAddress, domain, permissionDetails(inherited))";

/** Every Drive and token request, in order, as `METHOD /path?query`; unmatched ones too. */
export const driveRequests: string[] = [];
export const unmatched: string[] = [];

const onNoMatch = (req: { method?: string; path?: string; href?: string; hostname?: string }) => unmatched.push(`${req.method} ${req.href ?? req.path}`);

/** Review copies over the real Drive client with OAUTH; every wait is recorded in `sleeps` instead of slept. */
export function shareDeps(sleeps: number[] = []): ShareDeps & { opened: number } {
  const deps = {
    opened: 0,
    openDrive: async () => {
      deps.opened++;
      return createGoogleReviewCopyDrive(OAUTH, { sleep: async (ms) => void sleeps.push(ms) });
    },
  };
  return deps;
}

/** Registers hooks: network off but loopback, request capture, and after each test: nothing unmatched. */
export function useDriveMock(): void {
  beforeEach(() => {
    driveRequests.length = 0;
    unmatched.length = 0;
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/u);
    nock.emitter.on("no match", onNoMatch);
  });
  afterEach(() => {
    nock.emitter.removeListener("no match", onNoMatch);
    try {
      expect(unmatched).toEqual([]);
      expect(nock.pendingMocks()).toEqual([]);
    } finally {
      nock.cleanAll();
    }
  });
}

function record(scope: nock.Scope): nock.Scope {
  scope.on("request", (req: { method: string; path: string }) => driveRequests.push(`${req.method} ${decodeURIComponent(req.path.replaceAll("+", " "))}`));
  return scope;
}

/** The refresh-token exchange google-auth-library makes before the first Drive call of a client. */
export function expectToken(): void {
  record(nock("https://oauth2.googleapis.com"))
    .post("/token", (body: Record<string, string>) => body.grant_type === "refresh_token" && body.refresh_token === OAUTH.refresh_token && body.client_id === OAUTH.client_id)
    .reply(200, { access_token: ACCESS_TOKEN, expires_in: 3600, token_type: "Bearer" });
}

function api(): nock.Scope {
  return record(nock(DRIVE, { reqheaders: { authorization: `Bearer ${ACCESS_TOKEN}` } }));
}

/** The `q` that finds one PR's copies, written out as a literal so a change in the query shows. */
export function copiesQuery(repoId: number, pr: number): string {
  return `appProperties has { key='nbtrain' and value='review-copy' } and appProperties has { key='nbtrain_repo_id' and value='${repoId}' } and appProperties has { key='nbtrain_pr' and value='${pr}' } and trashed = false`;
}

export function expectListCopies(repoId: number, pr: number, files: Array<{ id: string; appProperties: Record<string, string> }>, status = 200): nock.Scope {
  return api()
    .get("/drive/v3/files")
    .query({ q: copiesQuery(repoId, pr), fields: "nextPageToken, files(id, appProperties)", pageSize: "100", spaces: "drive", supportsAllDrives: "true", includeItemsFromAllDrives: "true" })
    .reply(status, status === 200 ? { files } : driveError(status));
}

export function expectFindFolder(parent: string, name: string, id: string | null): void {
  api()
    .get("/drive/v3/files")
    .query({
      q: `'${parent}' in parents and name = '${name}' and mimeType = '${FOLDER}' and trashed = false`,
      fields: "files(id)",
      pageSize: "10",
      spaces: "drive",
      supportsAllDrives: "true",
      includeItemsFromAllDrives: "true",
    })
    .reply(200, { files: id ? [{ id }] : [] });
}

export function expectCreateFolder(parent: string, name: string, id: string, status = 200): void {
  api()
    .post("/drive/v3/files", { name, mimeType: FOLDER, parents: [parent] })
    .query({ fields: "id", supportsAllDrives: "true" })
    .reply(status, status === 200 ? { id } : driveError(status));
}

/** A multipart body as googleapis-common writes it: JSON metadata, then the media. */
export function parseMultipart(body: string): Array<{ contentType: string; body: string }> {
  const boundary = body.slice(2, body.indexOf("\r\n"));
  return body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const [head = "", ...rest] = part.replace(/^\r\n/u, "").split("\r\n\r\n");
      return { contentType: head.replace(/^content-type: /iu, ""), body: rest.join("\r\n\r\n").replace(/\r\n$/u, "") };
    });
}

export interface Upload {
  metadata: Record<string, unknown>;
  mediaType: string;
  media: string;
}

function upload(body: string): Upload {
  const [metadata, media] = parseMultipart(body);
  expect(metadata?.contentType).toBe("application/json");
  return { metadata: JSON.parse(metadata!.body) as Record<string, unknown>, mediaType: media!.contentType, media: media!.body };
}

/** files.create with media; `uploads` receives what was sent. */
export function expectCreateCopy(id: string, uploads: Upload[], status = 200): void {
  api()
    .post("/upload/drive/v3/files", (body: string) => uploads.push(upload(body)) > 0)
    .query({ uploadType: "multipart", fields: "id", supportsAllDrives: "true" })
    .reply(status, status === 200 ? { id } : driveError(status));
}

/** files.update with media: a new revision of `id`. */
export function expectUpdateCopy(id: string, uploads: Upload[], status = 200): void {
  api()
    .patch(`/upload/drive/v3/files/${id}`, (body: string) => uploads.push(upload(body)) > 0)
    .query({ uploadType: "multipart", fields: "id", supportsAllDrives: "true" })
    .reply(status, status === 200 ? { id } : driveError(status));
}

export function expectListPermissions(fileId: string, permissions: Array<ExistingPermission & { permissionDetails?: unknown }>): void {
  api()
    .get(`/drive/v3/files/${fileId}/permissions`)
    .query({ fields: PERMISSION_FIELDS, pageSize: "100", supportsAllDrives: "true" })
    .reply(200, { permissions });
}

export const OWNER_PERMISSION = { id: "perm-owner", type: "user", role: "owner", emailAddress: "nbtrain-bot@example.iam.gserviceaccount.com" };

export function expectCreatePermission(fileId: string, body: Record<string, string | boolean>, id: string, status = 200): void {
  api()
    .post(`/drive/v3/files/${fileId}/permissions`, body)
    .query(body.type === "user" ? { fields: "id", supportsAllDrives: "true", sendNotificationEmail: "false" } : { fields: "id", supportsAllDrives: "true" })
    .reply(status, status === 200 ? { id } : driveError(status, "insufficientFilePermissions"));
}

export function expectDeletePermission(fileId: string, permissionId: string): void {
  api().delete(`/drive/v3/files/${fileId}/permissions/${permissionId}`).query({ supportsAllDrives: "true" }).reply(204);
}

export function expectTrash(fileId: string): void {
  api().patch(`/drive/v3/files/${fileId}`, { trashed: true }).query({ fields: "id", supportsAllDrives: "true" }).reply(200, { id: fileId });
}

/** Drive's error body, with the `reason` its clients key on. */
export function driveError(status: number, reason = status === 429 ? "rateLimitExceeded" : status === 404 ? "notFound" : status === 403 ? "storageQuotaExceeded" : "backendError"): object {
  return { error: { code: status, message: `Drive says ${reason}`, errors: [{ domain: "usageLimits", reason, message: `Drive says ${reason}` }] } };
}

/** A raw failure for any Drive request matching method and path (query ignored). */
export function expectFailure(method: "get" | "post" | "patch" | "delete", path: string, status: number, reason?: string, times = 1): void {
  api()
    .intercept(path, method.toUpperCase())
    .query(true)
    .times(times)
    .reply(status, driveError(status, reason));
}
