import { afterEach, describe, expect, it } from "vitest";
import { TRAIN_HELP } from "../../src/commands/train-help.js";
import { RunRegistry } from "../../src/runs/run-registry.js";
import { contentsPath, FIXED_NOW, HEAD, mockInstallationToken, notebook, RAW_HEADERS, useTestHarness } from "../support/test-app.js";
import { runRequest } from "../support/run-requests.js";
import { commentPayload, mockCommandReads, RecordingCompute, trainDeps } from "../support/train-harness.js";

const harness = useTestHarness();
const repoPath = "/repos/Codertocat/Hello-World";
const COMMENT_ID = 492700400;
const RUN_ID = `c${COMMENT_ID}`;
const NB = "notebooks/spiral.ipynb";
const NB_TEXT = notebook(["epochs = 3\nlr = 1.0", "print(lr)"]);
const FORK_HEAD = "0123456789abcdef0123456789abcdef01234567";
const configPath = `${repoPath}/contents/${encodeURIComponent(".github/nbtrain.yml")}`;

let disposers: Array<() => void> = [];
afterEach(() => {
  for (const dispose of disposers) dispose();
  disposers = [];
});

async function load(compute = new RecordingCompute()) {
  const train = trainDeps(compute);
  disposers.push(train.dispose);
  await harness.load({ train });
  return { compute, train, registry: new RunRegistry(train.store) };
}

const comment = (body: string, patch?: Parameters<typeof commentPayload>[1]) => ({ id: `delivery-${Math.random()}`, name: "issue_comment" as const, payload: commentPayload(body, patch) as never });

function reactionReply(content: string) {
  return { id: 1, node_id: "R", content, created_at: FIXED_NOW.toISOString(), user: null };
}

/** The requests of an authorized `/train` up to the limit check, answered as GitHub does. */
function mockUpToLimits(scope = harness.github(), options: { head?: string; fork?: boolean } = {}) {
  return mockCommandReads(scope, { pr: options, notebook: { path: NB, text: NB_TEXT } });
}

/** 👀, the queued check run `checkRunId`, 🚀: what an accepted `/train` writes. */
function mockAccepted(scope: ReturnType<typeof harness.github>, checkRunId: number) {
  return scope
    .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`)
    .reply(201, reactionReply("eyes"))
    .post(`${repoPath}/check-runs`)
    .reply(201, { id: checkRunId })
    .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`)
    .reply(201, reactionReply("rocket"));
}

describe("/train on a pull request", () => {
  it("reacts 👀, creates the queued check run with the run id, submits once, then reacts 🚀", async () => {
    const { compute, registry } = await load();
    const bodies: Record<string, unknown[]> = { reactions: [], checks: [] };
    mockUpToLimits()
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, (body) => bodies.reactions!.push(body) > 0)
      .reply(201, reactionReply("eyes"))
      .post(`${repoPath}/check-runs`, (body) => bodies.checks!.push(body) > 0)
      .reply(201, { id: 555 })
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, (body) => bodies.reactions!.push(body) > 0)
      .reply(201, reactionReply("rocket"));

    await harness.probot.receive(comment(`/train ${NB} lr=0.5 --timeout 2h`));

    // The order is the flow: config, permission and PR read together, then the notebook at the
    // PR's head, then 👀 → check run → submit → 🚀.
    const sent = harness.contract.checked.map((request) => `${request.method} ${request.path.split("?")[0]}`);
    expect(sent.slice(0, 5).sort()).toEqual(
      [
        "POST /app/installations/2/access_tokens",
        `GET ${configPath}`,
        `GET /repos/Codertocat/.github/contents/${encodeURIComponent(".github/nbtrain.yml")}`,
        `GET ${repoPath}/collaborators/Codertocat/permission`,
        `GET ${repoPath}/pulls/1`,
      ].sort(),
    );
    expect(sent.slice(5)).toEqual([
      `GET ${repoPath}/contents/${encodeURIComponent(NB)}`,
      `POST ${repoPath}/issues/comments/${COMMENT_ID}/reactions`,
      `POST ${repoPath}/check-runs`,
      `POST ${repoPath}/issues/comments/${COMMENT_ID}/reactions`,
    ]);
    expect(bodies.reactions).toEqual([{ content: "eyes" }, { content: "rocket" }]);
    expect(bodies.checks).toEqual([
      {
        name: `nbtrain / train: ${NB}`,
        head_sha: HEAD,
        external_id: RUN_ID,
        status: "queued",
        output: { title: "Queued", summary: expect.stringContaining(RUN_ID) },
        actions: [{ label: "Cancel", description: "Stop this training run", identifier: "nbtrain-cancel" }],
      },
    ]);
    expect(compute.submitted).toEqual([
      {
        runId: RUN_ID,
        repo: { owner: "Codertocat", name: "Hello-World" },
        pullNumber: 1,
        headSha: HEAD,
        checkRunId: 555,
        installationId: 2,
        notebook: NB,
        parameters: { lr: 0.5 },
        resources: { gpuType: "default", gpus: 1, vcpus: 4, memoryMiB: 16384, timeoutSeconds: 7200, spot: true, queue: "nbtrain", jobDefinition: "nbtrain-runner" },
        storeUri: expect.stringMatching(/^file:\/\//u),
        source: { requirements: "off", lfs: false },
      },
    ]);
    const request = await registry.readRequest("Codertocat", "Hello-World", RUN_ID);
    expect(request).toMatchObject({ runId: RUN_ID, checkRunId: 555, headSha: HEAD, baseRef: "master", submittedAt: FIXED_NOW.toISOString(), backendJobId: `job-${RUN_ID}` });
    expect(Buffer.from((await registry.readInput("Codertocat", "Hello-World", RUN_ID))!).toString("utf8")).toBe(NB_TEXT);
    expect(await registry.listActive("Codertocat", "Hello-World")).toEqual([{ pullNumber: 1, runId: RUN_ID }]);
  });

  it("submits exactly one job when the webhook is redelivered, and the redelivery calls no GitHub API", async () => {
    const { compute } = await load();
    mockAccepted(mockUpToLimits(), 555);
    const event = comment(`/train ${NB}`);
    await harness.probot.receive(event);
    const before = harness.contract.checked.length;
    await harness.probot.receive(event);
    await harness.probot.receive({ ...event, id: "another-delivery-id" });
    expect(compute.submitted).toHaveLength(1);
    expect(harness.contract.checked.length).toBe(before);
  });

  it("reuses the check run an interrupted earlier delivery created, found by external_id, instead of creating a second", async () => {
    const { compute, registry } = await load();
    // The earlier delivery recorded the request, created the check run and died before recording its id.
    const { checkRunId: _unused, ...pending } = runRequest(RUN_ID, 1);
    await registry.writeRequest(pending);
    let created = 0;
    mockUpToLimits()
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`)
      .reply(201, reactionReply("eyes"))
      .get(`${repoPath}/commits/${HEAD}/check-runs?check_name=${encodeURIComponent(`nbtrain / train: ${NB}`)}&filter=all&per_page=100`)
      .reply(200, { total_count: 2, check_runs: [{ id: 776, external_id: "c1", status: "completed", html_url: null }, { id: 777, external_id: RUN_ID, status: "queued", html_url: null }] })
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`)
      .reply(201, reactionReply("rocket"));
    harness.github().post(`${repoPath}/check-runs`).optionally().reply(201, () => ({ id: ++created }));
    await harness.probot.receive(comment(`/train ${NB}`));
    expect(created).toBe(0);
    expect(compute.submitted.map((job) => job.checkRunId)).toEqual([777]);
    expect(await registry.readRequest("Codertocat", "Hello-World", RUN_ID)).toMatchObject({ checkRunId: 777, submittedAt: FIXED_NOW.toISOString() });
  });

  it("creates the check run when an earlier delivery died before GitHub created it", async () => {
    const { compute, registry } = await load();
    const { checkRunId: _unused, ...pending } = runRequest(RUN_ID, 1);
    await registry.writeRequest(pending);
    mockUpToLimits()
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`)
      .reply(201, reactionReply("eyes"))
      .get(new RegExp(`^${repoPath}/commits/${HEAD}/check-runs`, "u"))
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 778 })
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`)
      .reply(201, reactionReply("rocket"));
    await harness.probot.receive(comment(`/train ${NB}`));
    expect(compute.submitted.map((job) => job.checkRunId)).toEqual([778]);
  });

  it("trains a fork's PR at the head SHA read when the command is handled", async () => {
    const { compute } = await load();
    mockUpToLimits(harness.github(), { head: FORK_HEAD, fork: true })
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`)
      .reply(201, reactionReply("eyes"))
      .post(`${repoPath}/check-runs`, (body: any) => body.head_sha === FORK_HEAD)
      .reply(201, { id: 9 })
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`)
      .reply(201, reactionReply("rocket"));
    await harness.probot.receive(comment(`/train ${NB}`));
    expect(compute.submitted.map((job) => job.headSha)).toEqual([FORK_HEAD]);
  });

  it("picks the PR's only changed notebook when none is named", async () => {
    const { compute } = await load();
    const scope = mockCommandReads(harness.github(), { permission: "admin" });
    scope
      .get(`${repoPath}/pulls/1/files?per_page=100`)
      .reply(200, [
        { sha: "1", filename: NB, status: "modified", additions: 1, deletions: 1, changes: 2 },
        { sha: "2", filename: "old.ipynb", status: "removed", additions: 0, deletions: 3, changes: 3 },
        { sha: "3", filename: "README.md", status: "modified", additions: 1, deletions: 0, changes: 1 },
      ])
      .get(contentsPath(NB, HEAD))
      .reply(200, NB_TEXT, RAW_HEADERS);
    mockAccepted(scope, 10);
    await harness.probot.receive(comment("/train epochs=2"));
    expect(compute.submitted.map((job) => [job.notebook, job.parameters])).toEqual([[NB, { epochs: 2 }]]);
  });
});

describe("/train refusals", () => {
  function expectRefusal(scope: ReturnType<typeof harness.github>, replies: string[]) {
    return scope
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, (body: any) => body.content === "confused")
      .reply(201, reactionReply("confused"))
      .post(`${repoPath}/issues/1/comments`, (body: any) => replies.push(body.body) > 0)
      .reply(201, { id: 1 });
  }

  it("refuses a commenter without write permission, with 😕 and a reply naming the levels", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    // The PR is read alongside the permission, so a permitted command waits on one round trip, not two.
    const scope = mockCommandReads(harness.github(), { permission: "read" });
    expectRefusal(scope, replies);
    await harness.probot.receive(comment(`/train ${NB}`));
    expect(compute.submitted).toEqual([]);
    expect(replies).toEqual([expect.stringContaining("`/train` needs **write** permission on this repository and you have **read**")]);
    expect(replies[0]).toMatch(/^@Codertocat /u);
  });

  it("refuses someone who is not a collaborator at all (404)", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    const scope = mockCommandReads(harness.github(), { permission: null });
    expectRefusal(scope, replies);
    await harness.probot.receive(comment(`/train ${NB}`));
    expect(compute.submitted).toEqual([]);
    expect(replies[0]).toContain("you have **none**");
  });

  it("honours a configured permission level: maintain refuses a writer", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    const scope = mockCommandReads(harness.github(), { config: "train:\n  permission: maintain\n" });
    expectRefusal(scope, replies);
    await harness.probot.receive(comment(`/train ${NB}`));
    expect(compute.submitted).toEqual([]);
    expect(replies[0]).toContain("needs **maintain**");
  });

  it("refuses more GPUs than the limit, naming the config key", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    expectRefusal(mockUpToLimits(), replies);
    await harness.probot.receive(comment(`/train ${NB} --gpus 4`));
    expect(compute.submitted).toEqual([]);
    expect(replies[0]).toContain("`--gpus 4` is over this repository's limit of 1 (`train.limits.max_gpus`)");
  });

  it("refuses a GPU type the config does not offer", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    const scope = mockCommandReads(harness.github(), { config: "train:\n  gpus:\n    a10g: {queue: gpu-q, job_definition: nbtrain, vcpus: 8, memory: 32GiB}\n" });
    scope
      .get(contentsPath(NB, HEAD))
      .reply(200, NB_TEXT, RAW_HEADERS);
    expectRefusal(scope, replies);
    await harness.probot.receive(comment(`/train ${NB} --gpu h100`));
    expect(compute.submitted).toEqual([]);
    expect(replies[0]).toContain("The GPU type `h100` is not offered here; this repository allows `a10g`");
  });

  it("refuses a second concurrent run on the PR, counting the active run the backend confirms", async () => {
    const compute = new RecordingCompute();
    const { registry } = await load(compute);
    await registry.markActive("Codertocat", "Hello-World", 1, "c111");
    compute.snapshots.set("c111", { runId: "c111", backendJobId: "c111", status: "running", attempt: 1, target: { owner: "Codertocat", repo: "Hello-World", pullNumber: 1, headSha: HEAD, checkRunId: 1, installationId: 2 } });
    const replies: string[] = [];
    expectRefusal(mockUpToLimits(), replies);
    await harness.probot.receive(comment(`/train ${NB}`));
    expect(compute.submitted).toEqual([]);
    expect(replies[0]).toContain("This pull request already has 1 active run, its limit (`train.limits.max_concurrent_per_pr`)");
  });

  it("drops a stale active entry the backend no longer knows, and trains", async () => {
    const compute = new RecordingCompute();
    const { registry } = await load(compute);
    await registry.markActive("Codertocat", "Hello-World", 1, "c111");
    mockAccepted(mockUpToLimits(), 12);
    await harness.probot.receive(comment(`/train ${NB}`));
    expect(compute.submitted).toHaveLength(1);
    expect((await registry.listActive("Codertocat", "Hello-World")).map((entry) => entry.runId)).toEqual([RUN_ID]);
  });

  it("refuses a notebook the PR head does not contain", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    const scope = mockCommandReads(harness.github());
    scope
      .get(contentsPath("missing.ipynb", HEAD))
      .reply(404, { message: "Not Found" });
    expectRefusal(scope, replies);
    await harness.probot.receive(comment("/train missing.ipynb"));
    expect(compute.submitted).toEqual([]);
    expect(replies[0]).toContain("`missing.ipynb` does not exist at this pull request's head (ec26c3e)");
  });

  it("refuses on a merged PR even when the event still said open", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    const scope = mockCommandReads(harness.github(), { pr: { state: "closed", merged: true } });
    expectRefusal(scope, replies);
    await harness.probot.receive(comment(`/train ${NB}`));
    expect(compute.submitted).toEqual([]);
    expect(replies[0]).toContain("This pull request is merged, so nothing was trained");
  });

  it("judges the reads sent together in a fixed order: a broken config is said before a missing permission or a failed PR read", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    const scope = mockCommandReads(harness.github(), { config: "train:\n  permission: everyone\n", permission: "read", pr: false });
    scope.get(`${repoPath}/pulls/1`).reply(404, { message: "Not Found" });
    expectRefusal(scope, replies);
    await harness.probot.receive(comment(`/train ${NB}`));
    expect(compute.submitted).toEqual([]);
    expect(replies).toEqual([expect.stringContaining("`.github/nbtrain.yml`: train.permission")]);
  });

  it("refuses a missing permission before it reports a failed PR read", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    const scope = mockCommandReads(harness.github(), { permission: "read", pr: false });
    scope.get(`${repoPath}/pulls/1`).reply(404, { message: "Not Found" });
    expectRefusal(scope, replies);
    await harness.probot.receive(comment(`/train ${NB}`));
    expect(compute.submitted).toEqual([]);
    expect(replies).toEqual([expect.stringContaining("`/train` needs **write** permission")]);
  });

  it("refuses on a closed PR before reading anything else", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    expectRefusal(scope, replies);
    await harness.probot.receive(comment(`/train ${NB}`, { state: "closed" }));
    expect(compute.submitted).toEqual([]);
    expect(replies[0]).toContain("This pull request is closed");
  });

  it("answers a bad command with what is wrong and the help, without reading permissions", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    expectRefusal(scope, replies);
    await harness.probot.receive(comment(`/train ${NB} --gpux a10g`));
    expect(compute.submitted).toEqual([]);
    expect(replies[0]).toContain("`--gpux` is not a /train flag. Did you mean `--gpu`?");
    expect(replies[0]).toContain(TRAIN_HELP);
  });

  it("says when the backend refuses the job: 😕, a reply, and the check run completed as a failure", async () => {
    const compute = new RecordingCompute();
    compute.failSubmit = new Error("Run c1 asks for 1 GPUs; this machine has 0.");
    const { registry } = await load(compute);
    const replies: string[] = [];
    const failed: any[] = [];
    const scope = mockUpToLimits()
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`)
      .reply(201, reactionReply("eyes"))
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 13 })
      .patch(`${repoPath}/check-runs/13`, (body) => failed.push(body) > 0)
      .reply(200, { id: 13 });
    expectRefusal(scope, replies);
    await harness.probot.receive(comment(`/train ${NB}`));
    expect(failed).toEqual([expect.objectContaining({ status: "completed", conclusion: "failure", output: expect.objectContaining({ title: "Could not submit the job" }) })]);
    expect(replies[0]).toContain("could not be started: Run c1 asks for 1 GPUs");
    expect(await registry.listActive("Codertocat", "Hello-World")).toEqual([]);
  });
});

describe("/train when GitHub fails", () => {
  it("answers 😕 with the failure and the delivery id, and submits nothing, when GitHub errors mid-command", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    const scope = mockCommandReads(harness.github(), { pr: false });
    scope
      .get(`${repoPath}/pulls/1`)
      .reply(502, { message: "Bad Gateway" })
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, { content: "confused" })
      .reply(201, reactionReply("confused"))
      .post(`${repoPath}/issues/1/comments`, (body: any) => replies.push(body.body) > 0)
      .reply(201, { id: 1 });
    await harness.probot.receive({ ...comment(`/train ${NB}`), id: "delivery-502" });
    expect(compute.submitted).toEqual([]);
    expect(replies[0]).toContain("nbtrain could not handle this command: GitHub answered 502 to GET");
    expect(replies[0]).toContain("delivery id `delivery-502`");
  });
});

describe("what /train ignores", () => {
  it("ignores bots, comments on plain issues and comments that are not commands, calling no API", async () => {
    const { compute } = await load();
    await harness.probot.receive(comment(`/train ${NB}`, { userType: "Bot", login: "other[bot]" }));
    await harness.probot.receive(comment(`/train ${NB}`, { pr: false }));
    await harness.probot.receive(comment("LGTM, please /train later"));
    await harness.probot.receive({ id: "edited", name: "issue_comment", payload: { ...commentPayload(`/train ${NB}`), action: "edited", changes: { body: { from: "x" } } } as never });
    expect(compute.submitted).toEqual([]);
    expect(harness.contract.checked).toEqual([]);
  });
});

describe("/train help, status and cancel", () => {
  it("replies to /train help with the help text, needing no permission", async () => {
    await load();
    const replies: string[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    scope.post(`${repoPath}/issues/1/comments`, (body: any) => replies.push(body.body) > 0).reply(201, { id: 1 });
    await harness.probot.receive(comment("/train help"));
    expect(replies).toEqual([`@Codertocat ${TRAIN_HELP}`]);
  });

  it("replies to /train status with a table of the PR's runs and their backend state", async () => {
    const compute = new RecordingCompute();
    const { registry } = await load(compute);
    for (const [runId, checkRunId] of [["c100", 1], ["c200", 2]] as const) {
      await registry.writeRequest(runRequest(runId, checkRunId));
      await registry.markActive("Codertocat", "Hello-World", 1, runId);
    }
    compute.snapshots.set("c200", { runId: "c200", backendJobId: "c200", status: "running", attempt: 2, reason: "retrying: the runner was killed by SIGKILL", target: { owner: "Codertocat", repo: "Hello-World", pullNumber: 1, headSha: HEAD, checkRunId: 2, installationId: 2 } });
    const replies: string[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    scope.post(`${repoPath}/issues/1/comments`, (body: any) => replies.push(body.body) > 0).reply(201, { id: 1 });
    await harness.probot.receive(comment("/train status"));
    const lines = replies[0]!.split("\n");
    expect(lines.filter((line) => line.startsWith("| `c"))).toEqual([
      "| `c200` | notebooks/spiral\\.ipynb | running | 2 | 1h ago | retrying: the runner was killed by SIGKILL |",
      "| `c100` | notebooks/spiral\\.ipynb | unknown | – | 1h ago |  |",
    ]);
  });

  it("/train cancel RUN cancels through Compute, completes the check run as cancelled and updates the Runs line", async () => {
    const compute = new RecordingCompute();
    const { registry } = await load(compute);
    await registry.writeRequest(runRequest("c100", 41));
    await registry.markActive("Codertocat", "Hello-World", 1, "c100");
    const patches: any[] = [];
    const replies: string[] = [];
    const sticky: string[] = [];
    const scope = mockCommandReads(harness.github(), { pr: false });
    scope
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, { content: "eyes" })
      .reply(201, reactionReply("eyes"))
      .patch(`${repoPath}/check-runs/41`, (body) => patches.push(body) > 0)
      .reply(200, { id: 41 })
      .get(`${repoPath}/issues/1/comments?per_page=100`)
      .reply(200, [])
      .post(`${repoPath}/issues/1/comments`, (body: any) => sticky.push(body.body) > 0)
      .reply(201, { id: 90 })
      .post(`${repoPath}/issues/1/comments`, (body: any) => replies.push(body.body) > 0)
      .reply(201, { id: 91 });
    await harness.probot.receive(comment("/train cancel c100"));
    expect(compute.cancelled).toEqual(["c100"]);
    expect(patches).toEqual([
      {
        status: "completed",
        conclusion: "cancelled",
        completed_at: FIXED_NOW.toISOString(),
        output: { title: `⏹️ cancelled: ${NB}`, summary: expect.stringContaining("was cancelled by @Codertocat") },
        // A cancelled run can go on from its checkpoint: Continue sits beside Re-run.
        actions: [
          { label: "Re-run", description: "Train again with the same command", identifier: "nbtrain-rerun" },
          { label: "Continue", description: "Next segment from the latest checkpoint", identifier: "nbtrain-continue" },
        ],
      },
    ]);
    expect(sticky[0]).toContain("<!-- nbtrain:run:c100 -->⏹️ **cancelled** · `c100`");
    expect(replies[0]).toContain("- `c100` (`notebooks/spiral.ipynb`): cancelled.");
    expect(await registry.listActive("Codertocat", "Hello-World")).toEqual([]);
  });

  it("/train cancel of an unknown run says so and cancels nothing", async () => {
    const { compute } = await load();
    const replies: string[] = [];
    const scope = mockCommandReads(harness.github(), { pr: false });
    scope
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`)
      .reply(201, reactionReply("eyes"))
      .post(`${repoPath}/issues/1/comments`, (body: any) => replies.push(body.body) > 0)
      .reply(201, { id: 91 });
    await harness.probot.receive(comment("/train cancel c999"));
    expect(compute.cancelled).toEqual([]);
    expect(replies[0]).toContain("`c999`: no such run in this repository");
  });
});
