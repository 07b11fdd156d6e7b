import { describe, expect, it } from "vitest";
import { BASE, contentsPath, fakeChecker, HEAD, loadPayload, mockInstallationToken, mockNoConfig, notebook, RAW_HEADERS, useTestHarness } from "../support/test-app.js";

const harness = useTestHarness();
const repoPath = "/repos/Codertocat/Hello-World";
const ZERO = "0000000000000000000000000000000000000000";

function pushEvent(change: (payload: Record<string, any>) => void = () => undefined) {
  const payload = loadPayload("push");
  change(payload);
  return { id: "delivery-push", name: "push" as const, payload: payload as never };
}

const compareBody = (files: Array<{ filename: string; status: string; previous_filename?: string }>) => ({
  status: "ahead",
  ahead_by: 1,
  behind_by: 0,
  total_commits: 1,
  commits: [],
  files: files.map((file, i) => ({ sha: `s${i}`, additions: 1, deletions: 0, changes: 1, ...file })),
});

describe("push events", () => {
  it("checks the pushed notebooks through the compare API and completes the check run, with no comment", async () => {
    await harness.load({ checkNotebook: fakeChecker({ "notebooks/train.ipynb": [{ severity: "warning", rule: "missing-kernelspec", line: 2 }] }) });
    const bodies: unknown[] = [];
    const github = harness.github();
    mockInstallationToken(github);
    github.get(`${repoPath}/compare/${BASE}...${HEAD}?per_page=1`).reply(200, compareBody([{ filename: "notebooks/train.ipynb", status: "modified" }, { filename: "src/a.py", status: "added" }]));
    mockNoConfig(github);
    github
      .post(`${repoPath}/check-runs`, (body) => bodies.push(body) > 0)
      .reply(201, { id: 11 })
      .get(contentsPath("notebooks/train.ipynb", HEAD))
      .reply(200, notebook(["x = 1"]), RAW_HEADERS)
      .patch(`${repoPath}/check-runs/11`, (body) => bodies.push(body) > 0)
      .reply(200, {});
    await harness.probot.receive(pushEvent());
    expect(bodies[0]).toMatchObject({ head_sha: HEAD, status: "in_progress" });
    expect(bodies[1]).toMatchObject({ status: "completed", conclusion: "success", output: { title: "No errors, 1 warning" } });
    // No base version is fetched and no comment is looked for: a push has no pull request.
    expect(harness.contract.checked.some((request) => request.path.includes(`ref=${BASE}`) || request.path.includes("/issues/"))).toBe(false);
  });

  it("compares a new branch against the default branch", async () => {
    await harness.load({});
    const github = harness.github();
    mockInstallationToken(github);
    github.get(`${repoPath}/compare/master...${HEAD}?per_page=1`).reply(200, compareBody([{ filename: "a.py", status: "added" }]));
    await harness.probot.receive(pushEvent((payload) => Object.assign(payload, { before: ZERO, created: true })));
  });

  it("takes the payload's file list when the push created the default branch", async () => {
    await harness.load({});
    const github = harness.github();
    mockInstallationToken(github);
    mockNoConfig(github);
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 12 })
      .get(contentsPath("notebooks/new.ipynb", HEAD))
      .reply(200, notebook(["a"]), RAW_HEADERS)
      .get(contentsPath("notebooks/train.ipynb", HEAD))
      .reply(200, notebook(["b"]), RAW_HEADERS)
      .patch(`${repoPath}/check-runs/12`)
      .reply(200, {});
    await harness.probot.receive(pushEvent((payload) => Object.assign(payload, { before: ZERO, created: true, ref: "refs/heads/master" })));
  });

  it("skips deleted branches and tags without calling GitHub", async () => {
    await harness.load({});
    await harness.probot.receive(pushEvent((payload) => Object.assign(payload, { deleted: true, after: ZERO })));
    await harness.probot.receive(pushEvent((payload) => Object.assign(payload, { ref: "refs/tags/v1.0" })));
    expect(harness.contract.checked).toEqual([]);
    expect(harness.logs.join("")).toContain("ignoring push that deleted refs/heads/feature/notebooks");
    expect(harness.logs.join("")).toContain("ignoring push to refs/tags/v1.0, which is not a branch");
  });
});

describe("re-run requests", () => {
  it("check_run.rerequested on our check creates a new check run for the same push", async () => {
    await harness.load({});
    const github = harness.github();
    mockInstallationToken(github);
    github.get(`${repoPath}/compare/${BASE}...${HEAD}?per_page=1`).reply(200, compareBody([{ filename: "nb.ipynb", status: "added" }]));
    mockNoConfig(github);
    github
      .post(`${repoPath}/check-runs`, { name: "nbtrain / notebooks", head_sha: HEAD, status: "in_progress", started_at: "2026-11-27T12:00:00.000Z" })
      .reply(201, { id: 21 })
      .get(contentsPath("nb.ipynb", HEAD))
      .reply(200, notebook(["a"]), RAW_HEADERS)
      .patch(`${repoPath}/check-runs/21`)
      .reply(200, {});
    await harness.probot.receive({ id: "rerun", name: "check_run", payload: loadPayload("check_run.rerequested") as never });
  });

  it("check_run.rerequested for another app's check is ignored", async () => {
    await harness.load({});
    const payload = loadPayload("check_run.rerequested");
    payload.check_run.name = "lint";
    await harness.probot.receive({ id: "rerun", name: "check_run", payload: payload as never });
    expect(harness.contract.checked).toEqual([]);
    expect(harness.logs.map((line) => JSON.parse(line).msg)).toContain('ignoring re-run of check "lint"');
  });

  it("check_suite.rerequested re-checks the suite's pull request and refreshes its comment", async () => {
    await harness.load({});
    const github = harness.github();
    mockInstallationToken(github);
    github.get(`${repoPath}/pulls/2/files?per_page=100`).reply(200, [{ filename: "nb.ipynb", status: "modified", sha: "x", additions: 1, deletions: 1, changes: 2 }]);
    mockNoConfig(github);
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 31 })
      .get(contentsPath("nb.ipynb", HEAD))
      .reply(200, notebook(["a = 2"]), RAW_HEADERS)
      .get(contentsPath("nb.ipynb", BASE))
      .reply(200, notebook(["a = 1"]), RAW_HEADERS)
      .patch(`${repoPath}/check-runs/31`)
      .reply(200, {})
      .get(`${repoPath}/issues/2/comments?per_page=100`)
      .reply(200, [])
      .post(`${repoPath}/issues/2/comments`, (body: { body: string }) => body.body.includes("**source changed**: 1 source edited"))
      .reply(201, {});
    await harness.probot.receive({ id: "suite", name: "check_suite", payload: loadPayload("check_suite.rerequested") as never });
  });
});
