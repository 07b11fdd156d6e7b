import { readFileSync } from "node:fs";
import path from "node:path";
import type nock from "nock";
import { describe, expect, it } from "vitest";
import { loadShareDeps } from "../../src/app/load-share-deps.js";
import { pathId } from "../../src/review-copies/plan/review-copy-properties.js";
import {
  ACCESS_TOKEN,
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
  shareDeps,
  useDriveMock,
} from "../support/drive-mock.js";
import { addedFile, CONFIG_PATH, mockCheckRunAndComment, mockPullRequestFiles, pullFilesPath } from "../support/pr-scopes.js";
import { contentsPath, fakeChecker, HEAD, loadPayload, mockInstallationToken, mockNoConfig, notebook, RAW_HEADERS, useTestHarness } from "../support/test-app.js";

const harness = useTestHarness();
useDriveMock();

const repoPath = "/repos/Codertocat/Hello-World";
const REPO_ID = 186853002;
const ROOT = "FOLDER_ROOT_0001";
const OLD = "1111111111111111111111111111111111111111";
const NB = "notebooks/train.ipynb";
const NB_TEXT = notebook(["import torch\n", "print(torch.__version__)"]);

const SHARE_YML = `share:
  drive_folder: ${ROOT}
  audience: reviewers
  role: commenter
  reviewer_emails:
    octocat: octocat@example.com
    Hubot: hubot@example.com
`;

function prEvent(action: "opened" | "synchronize", reviewers: string[], headSha = HEAD) {
  const payload = loadPayload("pull_request.opened");
  payload.action = action;
  payload.pull_request.head.sha = headSha;
  payload.pull_request.requested_reviewers = reviewers.map((login, i) => ({ login, id: 100 + i, node_id: "U", type: "User", site_admin: false }));
  return { id: `delivery-${action}-${reviewers.join("-")}`, name: "pull_request" as const, payload: payload as never };
}

/** The GitHub side of one PR check with sharing on: files, config, check run, reviews, contents, comment. */
function mockPrCheck(github: nock.Scope, options: { files: string[]; contents: Record<string, string>; config?: string | null; reviews?: object[]; comments: Array<{ body: string }>; headSha?: string; token?: boolean; checkRun?: boolean }): void {
  const sha = options.headSha ?? HEAD;
  // Probot keeps the installation token for later events of the same test.
  if (options.token !== false) mockInstallationToken(github);
  github.get(pullFilesPath()).reply(200, options.files.map(addedFile));
  if (options.config === null) mockNoConfig(github);
  else github.get(CONFIG_PATH).reply(200, options.config ?? SHARE_YML, RAW_HEADERS);
  // One check run per commit: a later event for the same head writes only the comment.
  const checkRun = options.checkRun !== false;
  if (checkRun) github.post(`${repoPath}/check-runs`).reply(201, { id: 77 });
  if (options.reviews) github.get(`${repoPath}/pulls/2/reviews?per_page=100`).reply(200, options.reviews);
  for (const [file, text] of Object.entries(options.contents)) github.get(contentsPath(file, sha)).reply(200, text, RAW_HEADERS);
  if (checkRun) github.patch(`${repoPath}/check-runs/77`).reply(200, { id: 77 });
  github
    .get(`${repoPath}/issues/2/comments?per_page=100`)
    .reply(200, [])
    .post(`${repoPath}/issues/2/comments`, (body: { body: string }) => options.comments.push(body) > 0)
    .reply(201, { id: 6 });
}

/** The app properties a copy of `file` at `sha` carries. */
function properties(file: string, sha: string): Record<string, string> {
  return {
    nbtrain: "review-copy",
    nbtrain_repo_id: String(REPO_ID),
    nbtrain_pr: "2",
    nbtrain_path_id: pathId(file),
    nbtrain_sha: sha,
    nbtrain_repo: "Codertocat/Hello-World",
    nbtrain_path: file,
  };
}

function logged(level: number): Array<Record<string, unknown>> {
  return harness.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.level === level);
}

describe("review copies on pull request checks", () => {
  it("first push: creates the PR's folders and the copy with its app properties, shares it with the requested reviewer, links it in the comment", async () => {
    const share = shareDeps();
    await harness.load({ share });
    const comments: Array<{ body: string }> = [];
    mockPrCheck(harness.github(), { files: [NB], contents: { [NB]: NB_TEXT }, reviews: [], comments });
    const uploads: Upload[] = [];
    expectToken();
    expectListCopies(REPO_ID, 2, []);
    expectFindFolder(ROOT, "Hello-World", null);
    expectCreateFolder(ROOT, "Hello-World", "folder-repo");
    expectFindFolder("folder-repo", "pr-2", null);
    expectCreateFolder("folder-repo", "pr-2", "folder-pr");
    expectFindFolder("folder-pr", "notebooks", null);
    expectCreateFolder("folder-pr", "notebooks", "folder-nb");
    expectCreateCopy("file-1", uploads);
    expectListPermissions("file-1", [OWNER_PERMISSION]);
    expectCreatePermission("file-1", { type: "user", emailAddress: "octocat@example.com", role: "commenter" }, "perm-octocat");

    await harness.probot.receive(prEvent("opened", ["octocat"]));

    expect(uploads).toEqual([
      {
        metadata: { name: "train.ipynb", mimeType: "application/vnd.google.colaboratory", parents: ["folder-nb"], appProperties: properties(NB, HEAD) },
        mediaType: "application/x-ipynb+json",
        media: NB_TEXT,
      },
    ]);
    expect(driveRequests.map((r) => r.split("?")[0])).toEqual([
      "POST /token",
      "GET /drive/v3/files",
      "GET /drive/v3/files",
      "POST /drive/v3/files",
      "GET /drive/v3/files",
      "POST /drive/v3/files",
      "GET /drive/v3/files",
      "POST /drive/v3/files",
      "POST /upload/drive/v3/files",
      "GET /drive/v3/files/file-1/permissions",
      "POST /drive/v3/files/file-1/permissions",
    ]);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("[Open review copy in Colab](https://colab.research.google.com/drive/file-1) (holds `ec26c3e`)");
    expect(comments[0]!.body).toContain(`(https://colab.research.google.com/github/Codertocat/Hello-World/blob/${HEAD}/notebooks/train.ipynb)`);
    expect(share.opened).toBe(1);
  });

  it("second push: updates the same file with a new revision (files.update with media), never a second copy", async () => {
    await harness.load({ share: shareDeps() });
    const comments: Array<{ body: string }> = [];
    const text = notebook(["import torch\n", "print(torch.__version__)", "print('more')"]);
    mockPrCheck(harness.github(), { files: [NB], contents: { [NB]: text }, reviews: [], comments });
    const uploads: Upload[] = [];
    expectToken();
    expectListCopies(REPO_ID, 2, [{ id: "file-1", appProperties: properties(NB, OLD) }]);
    expectUpdateCopy("file-1", uploads);
    expectListPermissions("file-1", [OWNER_PERMISSION, { id: "perm-octocat", type: "user", role: "commenter", emailAddress: "octocat@example.com" }]);

    await harness.probot.receive(prEvent("synchronize", ["octocat"]));

    expect(uploads).toEqual([{ metadata: { appProperties: properties(NB, HEAD) }, mediaType: "application/x-ipynb+json", media: text }]);
    expect(driveRequests.some((r) => r.startsWith("POST /upload") || r.startsWith("POST /drive/v3/files"))).toBe(false);
    expect(comments[0]!.body).toContain("[Open review copy in Colab](https://colab.research.google.com/drive/file-1) (holds `ec26c3e`)");
  });

  it("a reviewer added gets access at the next update, and loses it once removed; an unmapped reviewer is noted", async () => {
    await harness.load({ share: shareDeps() });
    const comments: Array<{ body: string }> = [];
    const NEXT = "2222222222222222222222222222222222222222";
    // Update 1: hubot (mapped) and monalisa (unmapped) are requested.
    mockPrCheck(harness.github(), { files: [NB], contents: { [NB]: NB_TEXT }, reviews: [], comments });
    expectToken();
    expectListCopies(REPO_ID, 2, [{ id: "file-1", appProperties: properties(NB, OLD) }]);
    expectUpdateCopy("file-1", []);
    expectListPermissions("file-1", [OWNER_PERMISSION, { id: "perm-octocat", type: "user", role: "commenter", emailAddress: "octocat@example.com" }]);
    expectCreatePermission("file-1", { type: "user", emailAddress: "hubot@example.com", role: "commenter" }, "perm-hubot");
    await harness.probot.receive(prEvent("synchronize", ["octocat", "hubot", "monalisa"]));
    expect(comments[0]!.body).toContain("@monalisa has no email in `share.reviewer_emails` of `.github/nbtrain.yml`, so the review copies are not shared with this reviewer.");

    // Update 2: hubot's request was removed; octocat reviewed (and so left the requested list) but keeps access.
    mockPrCheck(harness.github(), {
      files: [NB],
      contents: { [NB]: NB_TEXT },
      reviews: [{ id: 80, user: { login: "octocat", id: 5346, type: "User" }, body: "", state: "APPROVED", commit_id: HEAD }],
      comments,
      headSha: NEXT,
      token: false,
    });
    expectToken();
    expectListCopies(REPO_ID, 2, [{ id: "file-1", appProperties: properties(NB, HEAD) }]);
    expectUpdateCopy("file-1", []);
    expectListPermissions("file-1", [
      OWNER_PERMISSION,
      { id: "perm-octocat", type: "user", role: "commenter", emailAddress: "octocat@example.com" },
      { id: "perm-hubot", type: "user", role: "commenter", emailAddress: "hubot@example.com" },
    ]);
    expectDeletePermission("file-1", "perm-hubot");
    await harness.probot.receive(prEvent("synchronize", [], NEXT));

    expect(driveRequests.filter((r) => r.includes("/permissions") && !r.startsWith("GET"))).toEqual([
      "POST /drive/v3/files/file-1/permissions?fields=id&supportsAllDrives=true&sendNotificationEmail=false",
      "DELETE /drive/v3/files/file-1/permissions/perm-hubot?supportsAllDrives=true",
    ]);
    expect(comments[1]!.body).toContain("(holds `2222222`)");
    expect(comments[1]!.body).not.toContain("no email");
  });

  it("copies an earlier /share made, of notebooks this push did not change, get their permissions brought in line too", async () => {
    await harness.load({ share: shareDeps() });
    const comments: Array<{ body: string }> = [];
    mockPrCheck(harness.github(), { files: [NB], contents: { [NB]: NB_TEXT }, reviews: [], comments });
    expectToken();
    expectListCopies(REPO_ID, 2, [
      { id: "file-1", appProperties: properties(NB, HEAD) },
      { id: "file-9", appProperties: properties("docs/tour.ipynb", OLD) },
    ]);
    expectListPermissions("file-1", [OWNER_PERMISSION, { id: "perm-octocat", type: "user", role: "commenter", emailAddress: "octocat@example.com" }]);
    expectListPermissions("file-9", [OWNER_PERMISSION, { id: "perm-hubot-9", type: "user", role: "commenter", emailAddress: "hubot@example.com" }]);
    expectDeletePermission("file-9", "perm-hubot-9");
    expectCreatePermission("file-9", { type: "user", emailAddress: "octocat@example.com", role: "commenter" }, "perm-octocat-9");
    await harness.probot.receive(prEvent("synchronize", ["octocat"]));
    // The untouched copy keeps its content: no upload of a notebook the check did not read.
    expect(driveRequests.some((r) => r.includes("/upload/"))).toBe(false);
    expect(comments[0]!.body).not.toContain("tour");
  });

  it("a redelivered event finds the copy at the head already: no new revision, permissions still checked", async () => {
    await harness.load({ share: shareDeps() });
    const comments: Array<{ body: string }> = [];
    mockPrCheck(harness.github(), { files: [NB], contents: { [NB]: NB_TEXT }, reviews: [], comments });
    expectToken();
    expectListCopies(REPO_ID, 2, [{ id: "file-1", appProperties: properties(NB, HEAD) }]);
    expectListPermissions("file-1", [OWNER_PERMISSION, { id: "perm-octocat", type: "user", role: "commenter", emailAddress: "octocat@example.com" }]);
    await harness.probot.receive(prEvent("opened", ["octocat"]));
    expect(driveRequests.map((r) => r.split("?")[0])).toEqual(["POST /token", "GET /drive/v3/files", "GET /drive/v3/files/file-1/permissions"]);
  });

  it("never uploads a notebook whose secret finding is an error, and the comment says why; the clean one is still copied", async () => {
    const SECRET_NB = "notebooks/keys.ipynb";
    const secretText = notebook(["AWS_SECRET = 'AKIAIOSFODNN7EXAMPLE'"]);
    const checker = fakeChecker({ [SECRET_NB]: [{ severity: "error", rule: "secret", message: "AWS access key in cell 1" }] });
    await harness.load({ share: shareDeps(), checkNotebook: checker, concurrency: 1 });
    const comments: Array<{ body: string }> = [];
    mockPrCheck(harness.github(), { files: [SECRET_NB, NB], contents: { [SECRET_NB]: secretText, [NB]: NB_TEXT }, reviews: [], comments });
    const uploads: Upload[] = [];
    expectToken();
    expectListCopies(REPO_ID, 2, [{ id: "file-1", appProperties: properties(NB, OLD) }]);
    expectUpdateCopy("file-1", uploads);
    expectListPermissions("file-1", [OWNER_PERMISSION]);

    await harness.probot.receive(prEvent("opened", []));

    expect(uploads.map((u) => u.media)).toEqual([NB_TEXT]);
    expect(driveRequests.join("\n")).not.toContain("keys.ipynb");
    const body = comments[0]!.body;
    const row = body.split("\n").find((line) => line.includes("keys\\.ipynb"))!;
    expect(row).toContain("🔒 no review copy: the notebook contains what looks like a secret \\(lint rule secret\\), so it was not copied to Google Drive\\. Remove the secret and rotate it, then push again\\.");
    expect(row).not.toContain("colab.research.google.com/drive/");
  });

  it("a secret-only PR makes no Drive call at all", async () => {
    const checker = fakeChecker({ [NB]: [{ severity: "error", rule: "secret", message: "token" }] });
    const share = shareDeps();
    await harness.load({ share, checkNotebook: checker });
    const comments: Array<{ body: string }> = [];
    mockPrCheck(harness.github(), { files: [NB], contents: { [NB]: NB_TEXT }, reviews: [], comments });
    await harness.probot.receive(prEvent("opened", []));
    expect(driveRequests).toEqual([]);
    expect(share.opened).toBe(0);
    expect(comments[0]!.body).toContain("🔒 no review copy");
  });

  it("Drive 403 (quota): the comment says why, the log warns, the check completes and no further notebook is tried", async () => {
    const other = "b.ipynb";
    await harness.load({ share: shareDeps(), concurrency: 1 });
    const comments: Array<{ body: string }> = [];
    let checkRun: { conclusion?: string } = {};
    const github = harness.github();
    mockPrCheck(github, { files: [NB, other], contents: { [NB]: NB_TEXT, [other]: NB_TEXT }, reviews: [], comments });
    github.on("request", (req: { method: string; path: string }, _i: unknown, body: string) => {
      if (req.method === "PATCH" && req.path.endsWith("/check-runs/77")) checkRun = JSON.parse(body) as { conclusion?: string };
    });
    expectToken();
    expectListCopies(REPO_ID, 2, [{ id: "file-1", appProperties: properties(NB, OLD) }]);
    expectFailure("patch", "/upload/drive/v3/files/file-1", 403, "storageQuotaExceeded");

    await harness.probot.receive(prEvent("opened", []));

    expect(checkRun.conclusion).toBe("success");
    const body = comments[0]!.body;
    expect(body).toContain("> **Review copies were not made or updated:** the app's Google Drive is out of quota (storageQuotaExceeded) while updating review copy `file-1`. Free space in Drive, or ask the app's operator to raise the quota.");
    // The old copy is still linked, with the commit it holds.
    expect(body).toContain("[Open review copy in Colab](https://colab.research.google.com/drive/file-1) (holds `1111111`), not updated: see the note below");
    expect(body).toContain("⚠️ no review copy: see the note below");
    expect(driveRequests.filter((r) => !r.startsWith("POST /token"))).toHaveLength(2);
    expect(logged(40).map((entry) => [entry.msg, entry.kind])).toEqual([["review copy failed", "quota"]]);
    for (const secret of [ACCESS_TOKEN, OAUTH.client_secret, OAUTH.refresh_token]) expect(harness.logs.join("")).not.toContain(secret);
  });

  it("Drive 403 on sharing (permission) is noted for that notebook and the copy is still linked", async () => {
    await harness.load({ share: shareDeps() });
    const comments: Array<{ body: string }> = [];
    mockPrCheck(harness.github(), { files: [NB], contents: { [NB]: NB_TEXT }, reviews: [], comments });
    expectToken();
    expectListCopies(REPO_ID, 2, [{ id: "file-1", appProperties: properties(NB, HEAD) }]);
    expectListPermissions("file-1", [OWNER_PERMISSION]);
    expectCreatePermission("file-1", { type: "user", emailAddress: "octocat@example.com", role: "commenter" }, "x", 403);
    await harness.probot.receive(prEvent("opened", ["octocat"]));
    const body = comments[0]!.body;
    expect(body).toContain("> **Review copy of `notebooks/train.ipynb`:** Google Drive refused sharing `file-1` (insufficientFilePermissions).");
    expect(body).toContain("(holds `ec26c3e`), not updated: see the note below");
  });

  it("a share folder that no longer exists becomes a note naming share.drive_folder", async () => {
    await harness.load({ share: shareDeps() });
    const comments: Array<{ body: string }> = [];
    mockPrCheck(harness.github(), { files: [NB], contents: { [NB]: NB_TEXT }, reviews: [], comments });
    expectToken();
    expectListCopies(REPO_ID, 2, []);
    expectFindFolder(ROOT, "Hello-World", null);
    expectFailure("post", "/drive/v3/files", 404, "notFound");
    await harness.probot.receive(prEvent("opened", []));
    expect(comments[0]!.body).toContain(
      "**Review copies were not made or updated:** Google Drive found no such file or folder while creating folder `Hello-World`. Check that `share.drive_folder` in `.github/nbtrain.yml` names a folder that exists and is shared with the app's Google account.",
    );
    expect(logged(40)).toHaveLength(1);
  });

  it("Drive 429 is retried with backoff (no real wait) and the copy is made", async () => {
    const sleeps: number[] = [];
    await harness.load({ share: shareDeps(sleeps) });
    const comments: Array<{ body: string }> = [];
    mockPrCheck(harness.github(), { files: [NB], contents: { [NB]: NB_TEXT }, reviews: [], comments });
    const uploads: Upload[] = [];
    expectToken();
    expectListCopies(REPO_ID, 2, [{ id: "file-1", appProperties: properties(NB, OLD) }]);
    expectFailure("patch", "/upload/drive/v3/files/file-1", 429, "rateLimitExceeded", 2);
    expectUpdateCopy("file-1", uploads);
    expectListPermissions("file-1", [OWNER_PERMISSION]);
    await harness.probot.receive(prEvent("opened", []));
    expect(sleeps).toHaveLength(2);
    expect(uploads).toHaveLength(1);
    expect(comments[0]!.body).toContain("[Open review copy in Colab](https://colab.research.google.com/drive/file-1) (holds `ec26c3e`)");
    expect(comments[0]!.body).not.toContain("Review cop");
  });

  it("sharing disabled: no Drive call at all, not even opening the client, and no extra GitHub call", async () => {
    const share = shareDeps();
    await harness.load({ share });
    const configs = [null, `share:\n  enabled: false\n  drive_folder: ${ROOT}\n`, "share:\n", `share:\n  audience: anyone\n`];
    for (const [i, config] of configs.entries()) {
      const comments: Array<{ body: string }> = [];
      mockPrCheck(harness.github(), { files: [NB], contents: { [NB]: NB_TEXT }, config, comments, token: i === 0, checkRun: i === 0 });
      await harness.probot.receive(prEvent("opened", ["octocat"]));
      expect(comments).toHaveLength(1);
      expect(comments[0]!.body).not.toContain("review copy");
    }
    expect(share.opened).toBe(0);
    expect(driveRequests).toEqual([]);
  });

  it("sharing on but no Drive credentials in the deployment: the comment says so and the check goes on", async () => {
    await harness.load({ share: loadShareDeps({}) });
    const comments: Array<{ body: string }> = [];
    mockPrCheck(harness.github(), { files: [NB], contents: { [NB]: NB_TEXT }, reviews: [], comments });
    await harness.probot.receive(prEvent("opened", []));
    expect(driveRequests).toEqual([]);
    expect(comments[0]!.body).toContain("> **Review copies were not made or updated:** the app has no usable Google Drive credentials (No Drive credentials found. Set NBTRAIN_GDRIVE_CREDENTIALS");
  });

  it("a PR from a fork gets no automatic copy, and each notebook says a maintainer can /share it", async () => {
    const share = shareDeps();
    await harness.load({ share });
    const comments: Array<{ body: string }> = [];
    mockPrCheck(harness.github(), { files: [NB], contents: { [NB]: NB_TEXT }, comments });
    const event = prEvent("opened", ["octocat"]);
    (event.payload as any).pull_request.head.repo = { ...(event.payload as any).pull_request.head.repo, full_name: "forker/Hello-World" };
    await harness.probot.receive(event);
    expect(share.opened).toBe(0);
    expect(driveRequests).toEqual([]);
    expect(comments[0]!.body).toContain("🔒 no review copy: this pull request comes from a fork, so its notebooks are not copied to Google Drive automatically\\. A maintainer can comment /share to copy them\\.");
  });

  it("a re-run of a closed PR's check does not bring its copies back", async () => {
    const share = shareDeps();
    await harness.load({ share });
    const comments: Array<{ body: string }> = [];
    const closedPr = loadPayload("pull_request.opened").pull_request;
    closedPr.state = "closed";
    const github = harness.github();
    mockPrCheck(github, { files: [NB], contents: { [NB]: NB_TEXT }, comments });
    github.get(`${repoPath}/pulls/2`).reply(200, closedPr);
    await harness.probot.receive({ id: "suite", name: "check_suite", payload: loadPayload("check_suite.rerequested") as never });
    expect(share.opened).toBe(0);
    expect(driveRequests).toEqual([]);
    expect(comments[0]!.body).not.toContain("review copy");
  });

  it("an invalid share section fails the check run like any config error, with the key named", async () => {
    const share = shareDeps();
    await harness.load({ share });
    let failure: { output?: { summary?: string } } = {};
    const github = mockPullRequestFiles(harness.github(), [addedFile(NB)]);
    github
      .get(CONFIG_PATH)
      .reply(200, `share:\n  drive_folder: ${ROOT}\n  role: writer\n`, RAW_HEADERS)
      .post(`${repoPath}/check-runs`, (body: typeof failure) => Boolean((failure = body)))
      .reply(201, { id: 3 });
    await harness.probot.receive(prEvent("opened", []));
    expect(failure.output?.summary).toContain(".github/nbtrain.yml: share.role: expected one of reader, commenter");
    expect(share.opened).toBe(0);
  });
});

describe("pull_request.closed", () => {
  function closedEvent(merged: boolean) {
    const payload = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../fixtures/share/pull_request.closed.json"), "utf8")) as Record<string, any>;
    payload.pull_request.merged = merged;
    return { id: `delivery-closed-${merged}`, name: "pull_request" as const, payload: payload as never };
  }

  function mockClosedConfig(config: string | null): void {
    const github = harness.github();
    mockInstallationToken(github, 1);
    if (config === null) mockNoConfig(github);
    else github.get(`${repoPath}/contents/${encodeURIComponent(".github/nbtrain.yml")}`).reply(200, config, RAW_HEADERS);
  }

  it("merged: removes every permission the bot granted, then trashes each copy", async () => {
    await harness.load({ share: shareDeps() });
    mockClosedConfig(SHARE_YML);
    expectToken();
    expectListCopies(REPO_ID, 2, [
      { id: "file-1", appProperties: properties(NB, HEAD) },
      { id: "file-2", appProperties: properties("b.ipynb", HEAD) },
    ]);
    expectListPermissions("file-1", [OWNER_PERMISSION, { id: "perm-octocat", type: "user", role: "commenter", emailAddress: "octocat@example.com" }, { id: "perm-team", type: "user", role: "writer", emailAddress: "team@example.com", permissionDetails: [{ inherited: true }] } as never]);
    expectDeletePermission("file-1", "perm-octocat");
    expectTrash("file-1");
    expectListPermissions("file-2", [OWNER_PERMISSION, { id: "anyoneWithLink", type: "anyone", role: "reader" }]);
    expectDeletePermission("file-2", "anyoneWithLink");
    expectTrash("file-2");
    await harness.probot.receive(closedEvent(true));
    expect(driveRequests.filter((r) => !r.startsWith("GET")).map((r) => r.split("?")[0])).toEqual([
      "POST /token",
      "DELETE /drive/v3/files/file-1/permissions/perm-octocat",
      "PATCH /drive/v3/files/file-1",
      "DELETE /drive/v3/files/file-2/permissions/anyoneWithLink",
      "PATCH /drive/v3/files/file-2",
    ]);
  });

  it("closed with on_close: keep: permissions are removed, the copies stay", async () => {
    await harness.load({ share: shareDeps() });
    mockClosedConfig(`${SHARE_YML}  on_close: keep\n`);
    expectToken();
    expectListCopies(REPO_ID, 2, [{ id: "file-1", appProperties: properties(NB, HEAD) }]);
    expectListPermissions("file-1", [OWNER_PERMISSION, { id: "perm-octocat", type: "user", role: "commenter", emailAddress: "octocat@example.com" }]);
    expectDeletePermission("file-1", "perm-octocat");
    await harness.probot.receive(closedEvent(false));
    expect(driveRequests.some((r) => r.startsWith("PATCH"))).toBe(false);
  });

  it("a copy that fails is logged and the others are still closed", async () => {
    await harness.load({ share: shareDeps() });
    mockClosedConfig(SHARE_YML);
    expectToken();
    expectListCopies(REPO_ID, 2, [
      { id: "file-1", appProperties: properties(NB, HEAD) },
      { id: "file-2", appProperties: properties("b.ipynb", HEAD) },
    ]);
    expectFailure("get", "/drive/v3/files/file-1/permissions", 403, "insufficientFilePermissions");
    expectListPermissions("file-2", [OWNER_PERMISSION]);
    expectTrash("file-2");
    await harness.probot.receive(closedEvent(true));
    expect(logged(40).map((entry) => entry.msg)).toEqual(["could not unshare a review copy"]);
  });

  it("sharing disabled: no Drive call", async () => {
    const share = shareDeps();
    await harness.load({ share });
    mockClosedConfig(null);
    await harness.probot.receive(closedEvent(true));
    expect(share.opened).toBe(0);
    expect(driveRequests).toEqual([]);
  });
});

describe("review requests", () => {
  function reviewEvent(action: "review_requested" | "review_request_removed", requested: string[]) {
    const payload = JSON.parse(readFileSync(path.resolve(import.meta.dirname, `../fixtures/share/pull_request.${action}.json`), "utf8")) as Record<string, any>;
    payload.pull_request.requested_reviewers = requested.map((login, i) => ({ login, id: 300 + i, node_id: "U", type: "User", site_admin: false }));
    return { id: `delivery-${action}`, name: "pull_request" as const, payload: payload as never };
  }

  it("a reviewer requested gets access at once, and loses it when the request is removed; nothing is uploaded", async () => {
    await harness.load({ share: shareDeps() });
    const github = harness.github();
    mockInstallationToken(github, 1);
    const configPath = `${repoPath}/contents/${encodeURIComponent(".github/nbtrain.yml")}`;
    github.get(configPath).times(2).reply(200, SHARE_YML, RAW_HEADERS);
    github.get(`${repoPath}/pulls/2/reviews?per_page=100`).times(2).reply(200, []);
    expectToken();
    expectListCopies(REPO_ID, 2, [{ id: "file-1", appProperties: properties(NB, OLD) }]);
    expectListPermissions("file-1", [OWNER_PERMISSION]);
    expectCreatePermission("file-1", { type: "user", emailAddress: "octocat@example.com", role: "commenter" }, "perm-octocat");
    await harness.probot.receive(reviewEvent("review_requested", ["octocat"]));

    expectToken();
    expectListCopies(REPO_ID, 2, [{ id: "file-1", appProperties: properties(NB, OLD) }]);
    expectListPermissions("file-1", [OWNER_PERMISSION, { id: "perm-octocat", type: "user", role: "commenter", emailAddress: "octocat@example.com" }]);
    expectDeletePermission("file-1", "perm-octocat");
    await harness.probot.receive(reviewEvent("review_request_removed", []));

    expect(driveRequests.filter((r) => !r.startsWith("GET") && !r.startsWith("POST /token")).map((r) => r.split("?")[0])).toEqual([
      "POST /drive/v3/files/file-1/permissions",
      "DELETE /drive/v3/files/file-1/permissions/perm-octocat",
    ]);
  });

  it("does nothing when the audience is not the reviewers", async () => {
    const share = shareDeps();
    await harness.load({ share });
    const github = harness.github();
    mockInstallationToken(github, 1);
    github.get(`${repoPath}/contents/${encodeURIComponent(".github/nbtrain.yml")}`).reply(200, `share:\n  drive_folder: ${ROOT}\n  audience: anyone\n`, RAW_HEADERS);
    await harness.probot.receive(reviewEvent("review_requested", ["octocat"]));
    expect(share.opened).toBe(0);
  });
});
