import { readFileSync } from "node:fs";
import path from "node:path";
import type nock from "nock";
import { describe, expect, it } from "vitest";
import { pathId } from "../../src/review-copies/plan/review-copy-properties.js";
import {
  driveRequests,
  expectCreateCopy,
  expectCreatePermission,
  expectFindFolder,
  expectListCopies,
  expectListPermissions,
  expectToken,
  expectUpdateCopy,
  OWNER_PERMISSION,
  type Upload,
  shareDeps,
  useDriveMock,
} from "../support/drive-mock.js";
import { permission } from "../support/train-harness.js";
import { contentsPath, fakeChecker, HEAD, loadPayload, mockInstallationToken, notebook, RAW_HEADERS, useTestHarness } from "../support/test-app.js";

const harness = useTestHarness();
useDriveMock();

const repoPath = "/repos/Codertocat/Hello-World";
const ROOT = "FOLDER_ROOT_0001";
const COMMENT_ID = 492700400;
const SHARE_YML = `share:\n  drive_folder: ${ROOT}\n  audience:\n    domain: example.com\n`;
const NB_TEXT = notebook(["print('hello')"]);

function commentEvent(body: string) {
  const payload = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../fixtures/share/issue_comment.created.json"), "utf8")) as Record<string, any>;
  payload.comment.body = body;
  return { id: "delivery-share", name: "issue_comment" as const, payload: payload as never };
}

function pullRequest(): Record<string, any> {
  const pr = loadPayload("pull_request.opened").pull_request;
  pr.state = "open";
  return pr;
}

function mockCommand(level: "write" | "read", config = SHARE_YML): nock.Scope {
  const github = harness.github();
  mockInstallationToken(github, 1);
  github.get(`${repoPath}/collaborators/Codertocat/permission`).reply(200, permission(level));
  if (level === "write") github.get(`${repoPath}/contents/${encodeURIComponent(".github/nbtrain.yml")}`).reply(200, config, RAW_HEADERS);
  return github;
}

/** 😕 and the reply that says why: how `/share` refuses. */
function expectRefusal(github: nock.Scope, replies: Array<{ body: string }>): nock.Scope {
  return github
    .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, { content: "confused" })
    .reply(201, { id: 1, content: "confused" })
    .post(`${repoPath}/issues/2/comments`, (body: { body: string }) => replies.push(body) > 0)
    .reply(201, { id: 9 });
}

describe("/share", () => {
  it("with no path: copies the PR's changed notebooks at the head and replies with their links", async () => {
    await harness.load({ share: shareDeps() });
    const replies: Array<{ body: string }> = [];
    const github = mockCommand("write");
    github
      .get(`${repoPath}/pulls/2`)
      .reply(200, pullRequest())
      .get(`${repoPath}/pulls/2/files?per_page=100`)
      .reply(200, [{ sha: "s", filename: "a.ipynb", status: "added", additions: 1, deletions: 0, changes: 1 }, { sha: "t", filename: "README.md", status: "modified", additions: 1, deletions: 0, changes: 1 }])
      .get(contentsPath("a.ipynb", HEAD))
      .reply(200, NB_TEXT, RAW_HEADERS)
      .post(`${repoPath}/issues/2/comments`, (body: { body: string }) => replies.push(body) > 0)
      .reply(201, { id: 9 });
    const uploads: Upload[] = [];
    expectToken();
    expectListCopies(186853002, 2, [{ id: "file-a", appProperties: { nbtrain_path_id: pathId("a.ipynb"), nbtrain_sha: "0000000000000000000000000000000000000000" } }]);
    expectUpdateCopy("file-a", uploads);
    expectListPermissions("file-a", [OWNER_PERMISSION]);
    expectCreatePermission("file-a", { type: "domain", domain: "example.com", role: "reader", allowFileDiscovery: false }, "perm-domain");

    await harness.probot.receive(commentEvent("/share"));

    expect(uploads.map((u) => u.media)).toEqual([NB_TEXT]);
    expect(replies).toEqual([{ body: "@Codertocat Review copies at `ec26c3e`:\n\n- `a.ipynb`: [Open review copy in Colab](https://colab.research.google.com/drive/file-a) (holds `ec26c3e`)" }]);
  });

  it("named notebooks, one the PR did not change and one missing: copies what exists, says what does not", async () => {
    await harness.load({ share: shareDeps() });
    const replies: Array<{ body: string }> = [];
    const github = mockCommand("write");
    github
      .get(`${repoPath}/pulls/2`)
      .reply(200, pullRequest())
      .get(contentsPath("docs/tour.ipynb", HEAD))
      .reply(200, NB_TEXT, RAW_HEADERS)
      .get(contentsPath("gone.ipynb", HEAD))
      .reply(404, { message: "Not Found" })
      .post(`${repoPath}/issues/2/comments`, (body: { body: string }) => replies.push(body) > 0)
      .reply(201, { id: 9 });
    const uploads: Upload[] = [];
    expectToken();
    expectListCopies(186853002, 2, []);
    expectFindFolder(ROOT, "Hello-World", "folder-repo");
    expectFindFolder("folder-repo", "pr-2", "folder-pr");
    expectFindFolder("folder-pr", "docs", "folder-docs");
    expectCreateCopy("file-tour", uploads);
    expectListPermissions("file-tour", [OWNER_PERMISSION, { id: "perm-domain", type: "domain", role: "reader", domain: "example.com" }]);

    await harness.probot.receive(commentEvent("/share ./docs/tour.ipynb 'gone.ipynb'"));

    expect(uploads.map((u) => [u.metadata.name, u.metadata.parents])).toEqual([["tour.ipynb", ["folder-docs"]]]);
    expect(replies[0]!.body).toBe(
      "@Codertocat Review copies at `ec26c3e`:\n\n- `docs/tour.ipynb`: [Open review copy in Colab](https://colab.research.google.com/drive/file-tour) (holds `ec26c3e`)\n- `gone.ipynb`: not found at `ec26c3e`; check the path.",
    );
  });

  it("a notebook with a secret is not copied on /share either", async () => {
    await harness.load({ share: shareDeps(), checkNotebook: fakeChecker({ "a.ipynb": [{ severity: "error", rule: "secret", message: "token" }] }) });
    const replies: Array<{ body: string }> = [];
    mockCommand("write")
      .get(`${repoPath}/pulls/2`)
      .reply(200, pullRequest())
      .get(contentsPath("a.ipynb", HEAD))
      .reply(200, NB_TEXT, RAW_HEADERS)
      .post(`${repoPath}/issues/2/comments`, (body: { body: string }) => replies.push(body) > 0)
      .reply(201, { id: 9 });
    await harness.probot.receive(commentEvent("/share a.ipynb"));
    expect(driveRequests).toEqual([]);
    expect(replies[0]!.body).toContain("- `a.ipynb`: 🔒 not copied: the notebook contains what looks like a secret");
  });

  it("refuses a commenter without write permission, with no Drive call", async () => {
    const share = shareDeps();
    await harness.load({ share });
    const replies: Array<{ body: string }> = [];
    expectRefusal(mockCommand("read"), replies);
    await harness.probot.receive(commentEvent("/share"));
    expect(replies[0]!.body).toBe("@Codertocat `/share` needs **write** permission on this repository and you have **read**. Ask a maintainer to run it.");
    expect(share.opened).toBe(0);
  });

  it("says review copies are off when the repository does not enable them", async () => {
    const share = shareDeps();
    await harness.load({ share });
    const replies: Array<{ body: string }> = [];
    expectRefusal(mockCommand("write", "rules:\n  secret: error\n"), replies);
    await harness.probot.receive(commentEvent("/share"));
    expect(replies[0]!.body).toContain("Review copies are off for this repository. To turn them on, set `share.drive_folder`");
    expect(share.opened).toBe(0);
  });

  it("refuses a path that leaves the repository before any GitHub read", async () => {
    await harness.load({ share: shareDeps() });
    const replies: Array<{ body: string }> = [];
    const github = harness.github();
    mockInstallationToken(github, 1);
    expectRefusal(github, replies);
    await harness.probot.receive(commentEvent("/share ../secrets.ipynb"));
    expect(replies[0]!.body).toContain("leaves the repository");
  });

  it("ignores other comments", async () => {
    const share = shareDeps();
    await harness.load({ share });
    await harness.probot.receive(commentEvent("/shared thoughts: looks good"));
    await harness.probot.receive(commentEvent("please /share this"));
    expect(share.opened).toBe(0);
  });
});
