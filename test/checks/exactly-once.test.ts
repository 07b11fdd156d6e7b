import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Probot } from "probot";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../src/config/load-repo-config.js";
import { createApp } from "../../src/app/create-app.js";
import { loadTemplates } from "../../src/app/load-templates.js";
import { STICKY_MARKER } from "../../src/report/render-pr-comment.js";
import { FileStore } from "../../src/storage/file-store.js";
import { createClaims } from "../../src/util/claims.js";
import { BASE, contentsPath, fakeChecker, FIXED_NOW, HEAD, loadPayload, mockInstallationToken, mockNoConfig, notebook, privateKey, QUIET_OCTOKIT, RAW_HEADERS, useTestHarness } from "../support/test-app.js";

// One check run per head commit whatever mix of push, pull_request and check_suite events
// arrives, one sticky comment that heals itself, and the same across two app instances that
// share a store (two Probot instances here; test/e2e/race.test.ts runs two server processes).

const harness = useTestHarness();
const repoPath = "/repos/Codertocat/Hello-World";
const NB = "notebooks/new one.ipynb";
const prFile = { sha: "a2", filename: NB, status: "added", additions: 10, deletions: 0, changes: 10 };
const bot = (id: number, body: string, appId?: number) => ({ id, body, user: { login: "nbtrain[bot]", type: "Bot" }, ...(appId ? { performed_via_github_app: { id: appId } } : {}) });

const pushEvent = (id = "d-push") => ({ id, name: "push" as const, payload: loadPayload("push") as never });
const syncEvent = (id = "d-sync", change: (payload: Record<string, any>) => void = () => undefined) => {
  const payload = loadPayload("pull_request.synchronize");
  change(payload);
  return { id, name: "pull_request" as const, payload: payload as never };
};
const suiteEvent = (action: "requested" | "rerequested", id = `d-suite-${action}`, change: (payload: Record<string, any>) => void = () => undefined) => {
  const payload = loadPayload("check_suite.rerequested");
  payload.action = action;
  change(payload);
  return { id, name: "check_suite" as const, payload: payload as never };
};

const compareBody = { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1, commits: [], files: [{ sha: "s", filename: NB, status: "added", additions: 1, deletions: 0, changes: 1 }] };

/** What a push for HEAD reads before it reaches the claim. */
function pushReads(github: ReturnType<typeof harness.github>): void {
  github.get(`${repoPath}/compare/${BASE}...${HEAD}?per_page=1`).reply(200, compareBody);
  mockNoConfig(github);
}

/** What a pull_request (or a suite listing PR #2) reads before it reaches the claim. */
function prReads(github: ReturnType<typeof harness.github>): void {
  github.get(`${repoPath}/pulls/2/files?per_page=100`).reply(200, [prFile]);
  mockNoConfig(github);
}

const checkRunPosts = () => harness.contract.checked.filter((request) => request.method === "POST" && request.path === `${repoPath}/check-runs`);

describe("one check run per head commit", () => {
  it("a push and a pull_request.synchronize for one commit make one check run; the pull request still gets its comment", async () => {
    await harness.load({});
    const github = harness.github();
    mockInstallationToken(github);
    pushReads(github);
    github.post(`${repoPath}/check-runs`).reply(201, { id: 5 }).get(contentsPath(NB, HEAD)).reply(200, notebook(["a"]), RAW_HEADERS).patch(`${repoPath}/check-runs/5`).reply(200, {});
    await harness.probot.receive(pushEvent());
    prReads(github);
    const comments: string[] = [];
    github
      .get(contentsPath(NB, HEAD))
      .reply(200, notebook(["a"]), RAW_HEADERS)
      .get(`${repoPath}/issues/2/comments?per_page=100`)
      .reply(200, [])
      .post(`${repoPath}/issues/2/comments`, (body: { body: string }) => comments.push(body.body) > 0)
      .reply(201, { id: 70 });
    await harness.probot.receive(syncEvent());
    expect(checkRunPosts()).toHaveLength(1);
    expect(comments).toHaveLength(1);
    expect(harness.logs.join("")).toContain("another delivery already claimed this check run; not writing it");
  });

  it("check_suite.requested makes the check run without a comment; the pull_request event after it adds only the comment", async () => {
    await harness.load({});
    const github = harness.github();
    mockInstallationToken(github);
    prReads(github);
    const created: unknown[] = [];
    github
      .post(`${repoPath}/check-runs`, (body) => created.push(body) > 0)
      .reply(201, { id: 6 })
      .get(contentsPath(NB, HEAD)) // no base read: the change summary is for the comment
      .reply(200, notebook(["a"]), RAW_HEADERS)
      .patch(`${repoPath}/check-runs/6`)
      .reply(200, {});
    await harness.probot.receive(suiteEvent("requested"));
    expect(created).toEqual([{ name: "nbtrain / notebooks", head_sha: HEAD, status: "in_progress", started_at: FIXED_NOW.toISOString() }]);
    expect(harness.contract.checked.some((request) => request.path.includes("/issues/"))).toBe(false);

    prReads(github);
    github
      .get(contentsPath(NB, HEAD))
      .reply(200, notebook(["a"]), RAW_HEADERS)
      .get(`${repoPath}/issues/2/comments?per_page=100`)
      .reply(200, [])
      .post(`${repoPath}/issues/2/comments`)
      .reply(201, { id: 71 });
    await harness.probot.receive(syncEvent());
    expect(checkRunPosts()).toHaveLength(1);
  });

  it("a fork's pull request: its suite (with no pull request) makes the check run, the pull_request event the comment", async () => {
    await harness.load({});
    const github = harness.github();
    mockInstallationToken(github);
    // The suite of a fork's commit lists no pull request, so it is checked as that commit's push.
    github.get(`${repoPath}/compare/6113728f27ae82c7b1a177c8d03f9e96e0adf246...${HEAD}?per_page=1`).reply(200, compareBody);
    mockNoConfig(github);
    github.post(`${repoPath}/check-runs`).reply(201, { id: 8 }).get(contentsPath(NB, HEAD)).reply(200, notebook(["a"]), RAW_HEADERS).patch(`${repoPath}/check-runs/8`).reply(200, {});
    await harness.probot.receive(suiteEvent("requested", "d-fork-suite", (payload) => (payload.check_suite.pull_requests = [])));
    prReads(github);
    github
      .get(contentsPath(NB, HEAD))
      .reply(200, notebook(["a"]), RAW_HEADERS)
      .get(`${repoPath}/issues/2/comments?per_page=100`)
      .reply(200, [])
      .post(`${repoPath}/issues/2/comments`)
      .reply(201, { id: 72 });
    await harness.probot.receive(
      syncEvent("d-fork-sync", (payload) => {
        payload.pull_request.head.repo = { ...payload.pull_request.head.repo, full_name: "forker/Hello-World", fork: true, owner: { ...payload.pull_request.head.repo.owner, login: "forker" } };
      }),
    );
    expect(checkRunPosts()).toHaveLength(1);
  });

  it("Re-run still makes a new check run on a commit that has one, once per delivery", async () => {
    await harness.load({});
    const github = harness.github();
    mockInstallationToken(github);
    pushReads(github);
    github.post(`${repoPath}/check-runs`).reply(201, { id: 9 }).get(contentsPath(NB, HEAD)).reply(200, notebook(["a"]), RAW_HEADERS).patch(`${repoPath}/check-runs/9`).reply(200, {});
    await harness.probot.receive(pushEvent());
    // check_run.rerequested of that run: a new run, and a second copy of the same delivery adds none.
    github.get(`${repoPath}/compare/${BASE}...${HEAD}?per_page=1`).reply(200, compareBody);
    mockNoConfig(github);
    github.post(`${repoPath}/check-runs`).reply(201, { id: 10 }).get(contentsPath(NB, HEAD)).reply(200, notebook(["a"]), RAW_HEADERS).patch(`${repoPath}/check-runs/10`).reply(200, {});
    github.get(`${repoPath}/compare/${BASE}...${HEAD}?per_page=1`).reply(200, compareBody);
    mockNoConfig(github);
    const rerun = { id: "d-rerun", name: "check_run" as const, payload: loadPayload("check_run.rerequested") as never };
    await harness.probot.receive(rerun);
    await harness.probot.receive(rerun);
    expect(checkRunPosts()).toHaveLength(2);
  });
});

describe("the sticky comment heals itself", () => {
  /** A pull_request.synchronize that reaches the comment step with these comments on the PR. */
  function syncWithComments(github: ReturnType<typeof harness.github>, existing: object[]): void {
    prReads(github);
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 20 })
      .get(contentsPath(NB, HEAD))
      .reply(200, notebook(["a"]), RAW_HEADERS)
      .patch(`${repoPath}/check-runs/20`)
      .reply(200, {})
      .get(`${repoPath}/issues/2/comments?per_page=100`)
      .reply(200, existing);
  }

  it("leaves a person's marker comment, and another App's, alone and writes its own", async () => {
    await harness.load({ appId: 1 });
    const github = harness.github();
    mockInstallationToken(github);
    syncWithComments(github, [
      { id: 30, body: `${STICKY_MARKER}\npasted by a person`, user: { login: "someone", type: "User" } },
      { id: 31, body: `${STICKY_MARKER}\nwritten by another App`, user: { login: "other[bot]", type: "Bot" }, performed_via_github_app: { id: 999 } },
    ]);
    const created: string[] = [];
    github.post(`${repoPath}/issues/2/comments`, (body: { body: string }) => created.push(body.body) > 0).reply(201, { id: 32 });
    await harness.probot.receive(syncEvent());
    expect(created).toHaveLength(1);
    // Nothing else was written: no PATCH or DELETE of comments 30 or 31 (nock would refuse them anyway).
    const writes = harness.contract.checked.filter((request) => request.path.includes("/issues/") && request.method !== "GET");
    expect(writes.map((request) => `${request.method} ${request.path}`)).toEqual([`POST ${repoPath}/issues/2/comments`]);
  });

  it("three comments left by an earlier race collapse to the oldest on the next event", async () => {
    await harness.load({ appId: 1 });
    const github = harness.github();
    mockInstallationToken(github);
    syncWithComments(github, [
      { id: 40, body: `${STICKY_MARKER}\npasted by a person`, user: { login: "someone", type: "User" } },
      bot(41, `${STICKY_MARKER}\nfirst`, 1),
      bot(42, `${STICKY_MARKER}\nsecond`, 1),
      bot(43, `${STICKY_MARKER}\nthird`, 1),
    ]);
    const patched: string[] = [];
    github
      .delete(`${repoPath}/issues/comments/42`)
      .reply(204)
      .delete(`${repoPath}/issues/comments/43`)
      .reply(404, { message: "Not Found" }) // already deleted by a racing instance: fine
      .patch(`${repoPath}/issues/comments/41`, (body: { body: string }) => patched.push(body.body) > 0)
      .reply(200, { id: 41 });
    await harness.probot.receive(syncEvent());
    expect(patched).toHaveLength(1);
    expect(patched[0]!.startsWith(STICKY_MARKER)).toBe(true);
    expect(patched[0]).toContain(NB.replace(" ", "%20"));
  });
});

describe("two instances sharing a store", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), "nbtrain-claims-"));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("a push on one and a pull_request.synchronize on the other, at once, make one check run", async () => {
    const templates = await loadTemplates();
    const instance = async () => {
      const probot = new Probot({ appId: 1, privateKey, log: pino({ level: "silent" }), Octokit: QUIET_OCTOKIT });
      // Each instance opens the folder itself, as two processes would.
      const claims = createClaims(new FileStore(root));
      await probot.load(createApp({ checkNotebook: fakeChecker({}), parseRepoConfig, templates, clock: () => FIXED_NOW, claims, appId: 1 }));
      return probot;
    };
    const [a, b] = await Promise.all([instance(), instance()]);
    let created = "";
    const github = harness.github();
    mockInstallationToken(github);
    mockInstallationToken(github);
    pushReads(github);
    prReads(github);
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 50 })
      .patch(`${repoPath}/check-runs/50`)
      .reply(200, {})
      // The pull_request delivery always reads the notebook (for its comment); the push only when it won the claim.
      .get(contentsPath(NB, HEAD))
      .reply(200, notebook(["a"]), RAW_HEADERS)
      .get(contentsPath(NB, HEAD))
      .optionally()
      .reply(200, notebook(["a"]), RAW_HEADERS)
      .get(`${repoPath}/issues/2/comments?per_page=100`)
      .reply(200, [])
      .post(`${repoPath}/issues/2/comments`, (body: { body: string }) => Boolean((created = body.body)))
      .reply(201, () => bot(51, created, 1))
      // Shared claims mean other instances may write at once: the creator lists again, finds only its own.
      .get(`${repoPath}/issues/2/comments?per_page=100`)
      .reply(200, () => [bot(51, created, 1)]);
    await Promise.all([a.receive(pushEvent("d-a")), b.receive(syncEvent("d-b"))]);
    expect(checkRunPosts()).toHaveLength(1);
  });
});
