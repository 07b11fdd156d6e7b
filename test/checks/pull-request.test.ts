import { describe, expect, it } from "vitest";
import { STICKY_MARKER } from "../../src/report/render-pr-comment.js";
import { BASE, contentsPath, fakeChecker, FIXED_NOW, HEAD, loadPayload, mockInstallationToken, mockNoConfig, notebook, RAW_HEADERS, useTestHarness } from "../support/test-app.js";

const harness = useTestHarness();
const repoPath = "/repos/Codertocat/Hello-World";

function prEvent(action = "opened") {
  const payload = loadPayload(action === "synchronize" ? "pull_request.synchronize" : "pull_request.opened");
  payload.action = action;
  return { id: `delivery-${action}`, name: "pull_request" as const, payload: payload as never };
}

const files = [
  { sha: "a1", filename: "notebooks/train.ipynb", status: "modified", additions: 3, deletions: 1, changes: 4 },
  { sha: "a2", filename: "notebooks/new one.ipynb", status: "added", additions: 10, deletions: 0, changes: 10 },
  { sha: "a3", filename: "README.md", status: "modified", additions: 1, deletions: 1, changes: 2 },
  { sha: "a4", filename: "old.ipynb", status: "removed", additions: 0, deletions: 9, changes: 9 },
];

describe("pull_request events", () => {
  it("checks each changed notebook, completes the check run and creates the sticky comment", async () => {
    const checker = fakeChecker({
      "notebooks/train.ipynb": [
        { severity: "error", rule: "secret", line: 12, column: 5, cell: 1, message: "AWS access key in cell 2; remove it and rotate the key." },
        { severity: "warning", rule: "execution-order", line: 20, cell: 2, message: "cells ran out of order" },
      ],
    });
    await harness.load({ checkNotebook: checker });
    const checkCreate: unknown[] = [];
    const checkUpdate: unknown[] = [];
    const comments: unknown[] = [];
    const github = harness.github();
    mockInstallationToken(github);
    github.get(`${repoPath}/pulls/2/files?per_page=100`).reply(200, files);
    mockNoConfig(github);
    github
      .post(`${repoPath}/check-runs`, (body) => checkCreate.push(body) > 0)
      .reply(201, { id: 77 })
      .get(contentsPath("notebooks/train.ipynb", HEAD))
      .reply(200, notebook(["import os\n", "key = 'x'\n", "print(1)"], { 2: "1" }), RAW_HEADERS)
      .get(contentsPath("notebooks/train.ipynb", BASE))
      .reply(200, notebook(["import os\n", "key = 'x'\n", "print(1)"], { 2: "0" }), RAW_HEADERS)
      .get(contentsPath("notebooks/new one.ipynb", HEAD))
      .reply(200, notebook(["a = 1"]), RAW_HEADERS)
      .patch(`${repoPath}/check-runs/77`, (body) => checkUpdate.push(body) > 0)
      .reply(200, { id: 77 })
      .get(`${repoPath}/issues/2/comments?per_page=100`)
      .reply(200, [{ id: 5, body: "LGTM", user: { login: "Codertocat", type: "User" } }])
      .post(`${repoPath}/issues/2/comments`, (body) => comments.push(body) > 0)
      .reply(201, { id: 6 });

    const accepts: string[] = [];
    github.on("request", (req: { path: string; headers: Record<string, string> }) => {
      if (req.path.includes("/contents/notebooks")) accepts.push(req.headers.accept ?? "");
    });
    await harness.probot.receive(prEvent());

    expect(checkCreate).toEqual([{ name: "nbtrain / notebooks", head_sha: HEAD, status: "in_progress", started_at: FIXED_NOW.toISOString() }]);
    expect(checker.calls.map((call) => call.path)).toEqual(["notebooks/train.ipynb", "notebooks/new one.ipynb"]);
    expect(checkUpdate).toHaveLength(1);
    const update = checkUpdate[0] as { status: string; conclusion: string; completed_at: string; output: { title: string; summary: string; text: string; annotations: unknown[] } };
    expect(update.status).toBe("completed");
    expect(update.conclusion).toBe("failure");
    expect(update.completed_at).toBe(FIXED_NOW.toISOString());
    expect(update.output.title).toBe("1 error in 1 notebook");
    expect(update.output.annotations).toEqual([
      { path: "notebooks/train.ipynb", start_line: 12, end_line: 12, start_column: 5, end_column: 5, annotation_level: "failure", title: "secret (cell 2)", message: "AWS access key in cell 2; remove it and rotate the key." },
      { path: "notebooks/train.ipynb", start_line: 20, end_line: 20, annotation_level: "warning", title: "execution-order (cell 3)", message: "cells ran out of order" },
    ]);
    expect(update.output.summary).toContain("| notebooks/train\\.ipynb | ❌ failing | 1 | 1 | 0 | nbformat 4\\.5 |");
    expect(update.output.summary).toContain("| notebooks/new one\\.ipynb | ✅ ok | 0 | 0 | 0 | nbformat 4\\.5 |");

    expect(comments).toHaveLength(1);
    const body = (comments[0] as { body: string }).body;
    expect(body.startsWith(STICKY_MARKER)).toBe(true);
    expect(body).toContain(`(https://colab.research.google.com/github/Codertocat/Hello-World/blob/${HEAD}/notebooks/new%20one.ipynb)`);
    expect(body).toContain("| **outputs only**: 1 output-only |");
    expect(body).toContain("| new notebook, 1 cell |");
    expect(body).not.toContain("old.ipynb");
    // The exact calls, in phases; the notebook reads run concurrently, so their order is not pinned.
    const calls = harness.contract.checked.map((request) => `${request.method} ${request.path}`);
    expect([...calls.slice(0, 5), ...calls.slice(5, 8).sort(), ...calls.slice(8)]).toEqual([
      "POST /app/installations/2/access_tokens",
      `GET ${repoPath}/pulls/2/files?per_page=100`,
      `GET ${repoPath}/contents/.github%2Fnbtrain.yml`,
      "GET /repos/Codertocat/.github/contents/.github%2Fnbtrain.yml",
      `POST ${repoPath}/check-runs`,
      `GET ${repoPath}/contents/notebooks%2Fnew%20one.ipynb?ref=${HEAD}`,
      `GET ${repoPath}/contents/notebooks%2Ftrain.ipynb?ref=${HEAD}`,
      `GET ${repoPath}/contents/notebooks%2Ftrain.ipynb?ref=${BASE}`,
      `PATCH ${repoPath}/check-runs/77`,
      `GET ${repoPath}/issues/2/comments?per_page=100`,
      `POST ${repoPath}/issues/2/comments`,
    ]);
    // Every notebook read asks for the raw media type, which works up to 100 MB.
    const reads = harness.contract.checked.filter((request) => request.template === "/repos/{owner}/{repo}/contents/{path}" && !request.path.includes("nbtrain.yml"));
    expect(reads).toHaveLength(3);
    expect(accepts.filter((accept) => accept === "application/vnd.github.raw")).toHaveLength(3);
  });

  it("updates the existing sticky comment in place, and writes nothing to it (nor a second check run) when a redelivery changes nothing", async () => {
    await harness.load({});
    const github = harness.github();
    mockInstallationToken(github);
    let stored = "";
    for (const delivery of [1, 2]) {
      github.get(`${repoPath}/pulls/2/files?per_page=100`).reply(200, [files[1]]);
      mockNoConfig(github);
      if (delivery === 1) github.post(`${repoPath}/check-runs`).reply(201, { id: 81 }).patch(`${repoPath}/check-runs/81`).reply(200, {});
      github
        .get(contentsPath("notebooks/new one.ipynb", HEAD))
        .reply(200, notebook(["a = 1"]), RAW_HEADERS)
        .get(`${repoPath}/issues/2/comments?per_page=100`)
        .reply(200, () => [
          { id: 1, body: `> ${STICKY_MARKER} quoted by a person`, user: { login: "someone", type: "User" } },
          { id: 9, body: stored || `${STICKY_MARKER}\nold body`, user: { login: "nbtrain[bot]", type: "Bot" } },
        ]);
      if (delivery === 1) {
        github.patch(`${repoPath}/issues/comments/9`, (body: { body: string }) => {
          stored = body.body;
          return body.body.startsWith(STICKY_MARKER);
        }).reply(200, { id: 9 });
      }
      await harness.probot.receive(prEvent("synchronize"));
    }
    // The second delivery found an identical body: no PATCH and no POST (nock would reject either).
    const writes = harness.contract.checked.filter((request) => request.template?.includes("comments") && request.method !== "GET");
    expect(writes.map((request) => `${request.method} ${request.path}`)).toEqual([`PATCH ${repoPath}/issues/comments/9`]);
  });

  it("creates one comment and one check run when two deliveries for the same pull request arrive together", async () => {
    await harness.load({});
    const github = harness.github();
    mockInstallationToken(github);
    const stored: Array<{ id: number; body: string; user: { login: string; type: string } }> = [];
    for (const _delivery of [1, 2]) {
      github.get(`${repoPath}/pulls/2/files?per_page=100`).reply(200, [files[1]]);
      mockNoConfig(github);
      github.get(contentsPath("notebooks/new one.ipynb", HEAD)).reply(200, notebook(["a = 1"]), RAW_HEADERS);
    }
    for (const _list of [1, 2]) github.get(`${repoPath}/issues/2/comments?per_page=100`).reply(200, () => stored);
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 41 })
      .patch(`${repoPath}/check-runs/41`)
      .reply(200, {})
      .post(`${repoPath}/issues/2/comments`, (body: { body: string }) => stored.push({ id: 7, body: body.body, user: { login: "nbtrain[bot]", type: "Bot" } }) > 0)
      .reply(201, { id: 7 });
    await Promise.all([harness.probot.receive(prEvent("synchronize")), harness.probot.receive(prEvent("synchronize"))]);
    expect(stored).toHaveLength(1);
    expect(harness.contract.checked.filter((request) => request.method === "POST" && request.path.endsWith("/check-runs"))).toHaveLength(1);
  });

  it("reads every page of a long discussion to find the sticky comment and any duplicate of it", async () => {
    await harness.load({});
    const github = harness.github();
    mockInstallationToken(github);
    github.get(`${repoPath}/pulls/2/files?per_page=100`).reply(200, [files[1]]);
    mockNoConfig(github);
    const page = (from: number) => Array.from({ length: 100 }, (_, i) => ({ id: from + i, body: "chatter", user: { login: "u", type: "User" } }));
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 3 })
      .get(contentsPath("notebooks/new one.ipynb", HEAD))
      .reply(200, notebook(["a"]), RAW_HEADERS)
      .patch(`${repoPath}/check-runs/3`)
      .reply(200, {})
      .get(`${repoPath}/issues/2/comments?per_page=100`)
      .reply(200, page(1), { link: `<https://api.github.com${repoPath}/issues/2/comments?per_page=100&page=2>; rel="next", <https://api.github.com${repoPath}/issues/2/comments?per_page=100&page=3>; rel="last"` })
      .get(`${repoPath}/issues/2/comments?per_page=100&page=2`)
      .reply(200, [...page(101).slice(0, 50), { id: 4242, body: `${STICKY_MARKER}\nold`, user: { login: "nbtrain[bot]", type: "Bot" } }], {
        link: `<https://api.github.com${repoPath}/issues/2/comments?per_page=100&page=3>; rel="next"`,
      })
      .get(`${repoPath}/issues/2/comments?per_page=100&page=3`)
      .reply(200, page(201).slice(0, 10))
      .patch(`${repoPath}/issues/comments/4242`)
      .reply(200, {});
    await harness.probot.receive(prEvent("reopened"));
  });

  it("writes nothing when no notebook changed, and logs why at debug level", async () => {
    await harness.load({});
    const github = harness.github();
    mockInstallationToken(github);
    github.get(`${repoPath}/pulls/2/files?per_page=100`).reply(200, [files[2], files[3]]);
    await harness.probot.receive(prEvent("ready_for_review"));
    expect(harness.contract.checked.map((request) => request.template)).toEqual(["/app/installations/{installation_id}/access_tokens", "/repos/{owner}/{repo}/pulls/{pull_number}/files"]);
    expect(harness.logs.join("")).toContain("none a notebook; nothing to check");
  });

  it("ignores events a bot caused without calling GitHub", async () => {
    await harness.load({});
    const event = prEvent();
    (event.payload as { sender: { type: string; login: string } }).sender = { type: "Bot", login: "nbtrain[bot]" } as never;
    await harness.probot.receive(event);
    expect(harness.contract.checked).toEqual([]);
    expect(harness.logs.join("")).toContain("ignoring pull_request from bot nbtrain[bot]");
  });

  it("ignores pull_request actions other than opened, synchronize, reopened and ready_for_review", async () => {
    await harness.load({});
    await harness.probot.receive(prEvent("labeled"));
    await harness.probot.receive(prEvent("closed"));
    expect(harness.contract.checked).toEqual([]);
  });
});
