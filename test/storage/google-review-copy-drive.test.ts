import { describe, expect, it } from "vitest";
import { createGoogleReviewCopyDrive, openGoogleReviewCopyDrive } from "../../src/storage/google-review-copy-drive.js";
import { ShareError } from "../../src/review-copies/plan/share-error.js";
import {
  copiesQuery,
  driveRequests,
  expectCreateCopy,
  expectCreateFolder,
  expectCreatePermission,
  expectDeletePermission,
  expectFailure,
  expectFindFolder,
  expectListCopies,
  expectListPermissions,
  expectToken,
  expectTrash,
  expectUpdateCopy,
  OAUTH,
  OWNER_PERMISSION,
  type Upload,
  useDriveMock,
} from "../support/drive-mock.js";

useDriveMock();

function client(sleeps: number[] = []) {
  return createGoogleReviewCopyDrive(OAUTH, { sleep: async (ms) => void sleeps.push(ms) });
}

const NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n';

describe("GoogleReviewCopyDrive against the Drive v3 API", () => {
  it("lists copies with a q on appProperties, creates folders and a copy with media, then a new revision", async () => {
    const uploads: Upload[] = [];
    expectToken();
    expectListCopies(186853002, 2, [{ id: "file-0", appProperties: { nbtrain_path_id: "x" } }]);
    expectFindFolder("FOLDER_ROOT_0001", "Hello-World", null);
    expectCreateFolder("FOLDER_ROOT_0001", "Hello-World", "folder-repo");
    expectCreateCopy("file-1", uploads);
    expectUpdateCopy("file-1", uploads);
    const drive = await client();

    expect(await drive.listCopies(copiesQuery(186853002, 2))).toEqual([{ id: "file-0", appProperties: { nbtrain_path_id: "x" } }]);
    expect(await drive.findFolder("FOLDER_ROOT_0001", "Hello-World")).toBeNull();
    expect(await drive.createFolder("FOLDER_ROOT_0001", "Hello-World")).toBe("folder-repo");
    expect(await drive.createCopy("folder-repo", "a.ipynb", new TextEncoder().encode(NOTEBOOK), { nbtrain_sha: "abc" })).toBe("file-1");
    await drive.updateCopy("file-1", new TextEncoder().encode(NOTEBOOK.replace("[]", "[ ]")), { nbtrain_sha: "def" });

    expect(uploads).toEqual([
      { metadata: { name: "a.ipynb", mimeType: "application/vnd.google.colaboratory", parents: ["folder-repo"], appProperties: { nbtrain_sha: "abc" } }, mediaType: "application/x-ipynb+json", media: NOTEBOOK },
      { metadata: { appProperties: { nbtrain_sha: "def" } }, mediaType: "application/x-ipynb+json", media: NOTEBOOK.replace("[]", "[ ]") },
    ]);
    expect(driveRequests.map((r) => r.split("?")[0])).toEqual([
      "POST /token",
      "GET /drive/v3/files",
      "GET /drive/v3/files",
      "POST /drive/v3/files",
      "POST /upload/drive/v3/files",
      "PATCH /upload/drive/v3/files/file-1",
    ]);
  });

  it("lists, creates and deletes permissions, link-only for domain and anyone, and trashes", async () => {
    expectToken();
    expectListPermissions("file-1", [OWNER_PERMISSION, { id: "p-inh", type: "user", role: "writer", emailAddress: "team@example.com", permissionDetails: [{ inherited: true }] }]);
    expectCreatePermission("file-1", { type: "user", emailAddress: "rev@example.com", role: "commenter" }, "p1");
    expectCreatePermission("file-1", { type: "domain", domain: "example.com", role: "reader", allowFileDiscovery: false }, "p2");
    expectCreatePermission("file-1", { type: "anyone", role: "reader", allowFileDiscovery: false }, "p3");
    expectDeletePermission("file-1", "p1");
    expectTrash("file-1");
    const drive = await client();

    expect(await drive.listPermissions("file-1")).toEqual([
      { id: "perm-owner", type: "user", role: "owner", emailAddress: OWNER_PERMISSION.emailAddress },
      { id: "p-inh", type: "user", role: "writer", emailAddress: "team@example.com", inherited: true },
    ]);
    await drive.createPermission("file-1", { type: "user", emailAddress: "rev@example.com", role: "commenter" });
    await drive.createPermission("file-1", { type: "domain", domain: "example.com", role: "reader" });
    await drive.createPermission("file-1", { type: "anyone", role: "reader" });
    await drive.deletePermission("file-1", "p1");
    await drive.trash("file-1");
  });

  it("retries 429 and 5xx with backoff through the injected sleep, then succeeds", async () => {
    const sleeps: number[] = [];
    expectToken();
    expectFailure("get", "/drive/v3/files", 429);
    expectFailure("get", "/drive/v3/files", 503);
    expectListCopies(1, 2, []);
    const drive = await client(sleeps);
    expect(await drive.listCopies(copiesQuery(1, 2))).toEqual([]);
    expect(sleeps).toHaveLength(2);
    // Exponential: the second wait's range (500–1000 ms) starts where the first's (250–500 ms) ends.
    expect(sleeps[0]).toBeGreaterThanOrEqual(250);
    expect(sleeps[0]).toBeLessThanOrEqual(500);
    expect(sleeps[1]).toBeGreaterThanOrEqual(500);
    expect(sleeps[1]).toBeLessThanOrEqual(1000);
    expect(driveRequests.filter((r) => r.startsWith("GET /drive/v3/files"))).toHaveLength(3);
  });

  it("honours Retry-After and gives up after a bounded number of attempts with a clear error", async () => {
    const sleeps: number[] = [];
    expectToken();
    expectFailure("post", "/upload/drive/v3/files", 500, "backendError", 5);
    const drive = await client(sleeps);
    const error = await drive.createCopy("folder", "a.ipynb", new Uint8Array([123, 125]), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShareError);
    expect((error as ShareError).kind).toBe("unavailable");
    expect((error as ShareError).message).toBe('Google Drive kept failing while uploading `a.ipynb`: HTTP 500 (backendError) after 5 attempts. Push again, or comment `/share`, to retry.');
    expect(sleeps).toHaveLength(4);
  });

  it("classifies 403 quota, 403 permission, 404 and 401 without retrying them", async () => {
    expectToken();
    expectFailure("post", "/upload/drive/v3/files", 403, "storageQuotaExceeded");
    expectFailure("post", "/drive/v3/files/f/permissions", 403, "insufficientFilePermissions");
    expectFailure("post", "/drive/v3/files", 404, "notFound");
    const sleeps: number[] = [];
    const drive = await client(sleeps);
    const kinds = [];
    for (const attempt of [
      () => drive.createCopy("folder", "a.ipynb", new Uint8Array([1]), {}),
      () => drive.createPermission("f", { type: "anyone", role: "reader" }),
      () => drive.createFolder("gone-folder", "Hello-World"),
    ]) {
      const error = (await attempt().catch((e: unknown) => e)) as ShareError;
      expect(error).toBeInstanceOf(ShareError);
      kinds.push([error.kind, error.stopsSharing]);
    }
    expect(kinds).toEqual([
      ["quota", true],
      ["permission", false],
      ["folder-missing", true],
    ]);
    expect(sleeps).toEqual([]);
  });

  it("puts a hostile file name in an error message only as inline code", async () => {
    expectToken();
    expectFailure("post", "/upload/drive/v3/files", 403, "insufficientFilePermissions");
    const error = (await (await client()).createCopy("folder", "<img src=x>`[a](http://e)`.ipynb", new Uint8Array([1]), {}).catch((e: unknown) => e)) as ShareError;
    expect(error.message).toContain("refused uploading `<img src=x>'[a](http://e)'.ipynb` (insufficientFilePermissions)");
  });

  it("treats a permission already gone as removed", async () => {
    expectToken();
    expectFailure("delete", "/drive/v3/files/f/permissions/p9", 404, "notFound");
    await (await client()).deletePermission("f", "p9");
  });

  it("says when the deployment has no Drive credentials, without echoing any value", async () => {
    const error = (await openGoogleReviewCopyDrive({}).catch((e: unknown) => e)) as ShareError;
    expect(error).toBeInstanceOf(ShareError);
    expect(error.kind).toBe("credentials");
    expect(error.message).toContain("NBTRAIN_GDRIVE_CREDENTIALS");
    const bad = (await openGoogleReviewCopyDrive({ NBTRAIN_GDRIVE_CREDENTIALS: '{"type":"authorized_user","client_id":"x","client_secret":"s3cr3t-value"}' }).catch((e: unknown) => e)) as ShareError;
    expect(bad.kind).toBe("credentials");
    expect(bad.message).toContain("refresh_token");
    expect(bad.message).not.toContain("s3cr3t-value");
  });
});
