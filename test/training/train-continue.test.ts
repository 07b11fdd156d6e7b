import { afterEach, describe, expect, it } from "vitest";
import type { JobStateEvent } from "../../src/compute/compute.js";
import { RunRegistry } from "../../src/runs/run-registry.js";
import type { RunRequest } from "../../src/runs/run-request.js";
import { contentsPath, FIXED_NOW, HEAD, mockInstallationToken, mockNoConfig, RAW_HEADERS, useTestHarness } from "../support/test-app.js";
import { commentPayload, loadTrainPayload, permission, pullRequest, RecordingCompute, trainDeps } from "../support/train-harness.js";

// /train continue, the Continue button, --budget chaining and --from, through Probot with signed
// webhooks, GitHub mocked at the HTTP boundary and checked against its OpenAPI description, and
// a real file store.

const harness = useTestHarness();
const repoPath = "/repos/Codertocat/Hello-World";
const NB = "notebooks/spiral.ipynb";
const NEW_HEAD = "0123456789abcdef0123456789abcdef01234567";
const COMMENT_ID = 492700401;


let disposers: Array<() => void> = [];
afterEach(() => {
  for (const dispose of disposers) dispose();
  disposers = [];
});

function request(runId: string, patch: Partial<RunRequest> = {}): RunRequest {
  return {
    format: "nbtrain-request/1",
    runId,
    commentId: Number(/^c(\d+)/u.exec(runId)![1]),
    owner: "Codertocat",
    repo: "Hello-World",
    pullNumber: 1,
    headSha: HEAD,
    baseRef: "master",
    notebook: NB,
    parameters: { lr: 0.5, epochs: 30 },
    resources: { gpuType: "default", gpus: 1, vcpus: 4, memoryMiB: 16384, timeoutSeconds: 3600, spot: true, queue: "nbtrain", jobDefinition: "nbtrain-runner" },
    requestedBy: "Codertocat",
    requestedAt: "2026-11-27T10:00:00.000Z",
    checkRunId: 61,
    installationId: 2,
    submittedAt: "2026-11-27T10:00:01.000Z",
    interruptions: [],
    jobSource: { requirements: "notebook", lfs: false },
    ...patch,
  };
}

function result(patch: Record<string, unknown> = {}) {
  return {
    format: "nbtrain-result/1",
    run_id: "c500",
    status: "timed-out",
    attempt: 1,
    started_at: "2026-11-27T10:00:05Z",
    finished_at: "2026-11-27T11:00:00Z",
    duration_seconds: 3595,
    resumed: false,
    restored_sequence: null,
    checkpoint_sequence: 4,
    cells_total: 5,
    cells_executed: 3,
    metrics: { epoch: 12, loss: 0.31 },
    metrics_points: 12,
    parameters: { lr: 0.5 },
    python: "/usr/bin/python3",
    failure: null,
    warnings: [],
    ...patch,
  };
}

async function setup(runs: Array<{ request: RunRequest; result?: Record<string, unknown> | null; active?: boolean }>) {
  const compute = new RecordingCompute();
  const train = trainDeps(compute);
  disposers.push(train.dispose);
  await harness.load({ train: { ...train, fromLocations: ["s3://colab-imports/checkpoints"] } });
  const registry = new RunRegistry(train.store);
  for (const run of runs) {
    await registry.writeRequest(run.request);
    await registry.markActive("Codertocat", "Hello-World", run.request.pullNumber, run.request.runId);
    if (!run.active) await registry.clearActive("Codertocat", "Hello-World", run.request.pullNumber, run.request.runId);
    await registry.stageNotebook(run.request, Buffer.from('{"cells": []}'));
    if (run.result !== null) {
      await train.store.put(`runs/Codertocat/Hello-World/${run.request.runId}/result.json`, Buffer.from(JSON.stringify(result({ run_id: run.request.runId, ...run.result }))));
    }
  }
  return { compute, train, registry };
}

const comment = (body: string, patch: Parameters<typeof commentPayload>[1] = {}) => ({
  id: `delivery-${Math.random()}`,
  name: "issue_comment" as const,
  payload: commentPayload(body, { id: COMMENT_ID, ...patch }) as never,
});

/** The gate's reads, as /train does them: config, permission and the PR together. */
function mockGate(scope = harness.github(), options: { level?: Parameters<typeof permission>[0]; head?: string; tokenCached?: boolean } = {}) {
  if (!options.tokenCached) mockInstallationToken(scope);
  mockNoConfig(scope);
  return scope
    .get(`${repoPath}/collaborators/Codertocat/permission`)
    .reply(200, permission(options.level ?? "write"))
    .get(`${repoPath}/pulls/1`)
    .reply(200, pullRequest({ head: options.head ?? HEAD }));
}

/** A refusal: 😕, then a reply whose body is collected. */
function mockRefusal(scope: ReturnType<typeof harness.github>, replies: string[]) {
  return scope
    .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, { content: "confused" })
    .reply(201, { id: 1, node_id: "R", content: "confused", created_at: FIXED_NOW.toISOString(), user: null })
    .post(`${repoPath}/issues/1/comments`, (body: any) => replies.push(body.body) > 0)
    .reply(201, { id: 900 });
}

/** A started segment: its check run, 🚀 and the reply. */
function mockStarted(scope: ReturnType<typeof harness.github>, checks: any[], replies: string[], checkRunId = 77) {
  return scope
    .post(`${repoPath}/check-runs`, (body: any) => checks.push(body) > 0)
    .reply(201, { id: checkRunId })
    .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, { content: "rocket" })
    .reply(201, { id: 2, node_id: "R", content: "rocket", created_at: FIXED_NOW.toISOString(), user: null })
    .post(`${repoPath}/issues/1/comments`, (body: any) => replies.push(body.body) > 0)
    .reply(201, { id: 901 });
}

describe("/train continue", () => {
  it("starts the next segment of the PR's most recent continuable run from its latest checkpoint, once under redelivery", async () => {
    const { compute, registry } = await setup([
      { request: request("c400", { requestedAt: "2026-11-27T09:00:00.000Z" }), result: { status: "completed" } },
      { request: request("c500"), result: {} },
    ]);
    const checks: any[] = [];
    const replies: string[] = [];
    mockStarted(mockGate(), checks, replies);
    const delivery = comment("/train continue");
    await harness.probot.receive(delivery);

    expect(compute.submitted).toHaveLength(1);
    expect(compute.submitted[0]).toMatchObject({ runId: "c500-s2", headSha: HEAD, notebook: NB, parameters: { lr: 0.5, epochs: 30 }, from: "run:c500", source: { requirements: "notebook", lfs: false } });
    const next = await registry.readRequest("Codertocat", "Hello-World", "c500-s2");
    expect(next).toMatchObject({ from: "run:c500", segment: { number: 2, previous: "c500", root: "c500" }, commentId: COMMENT_ID, checkRunId: 77 });
    expect(checks[0]).toMatchObject({ external_id: "c500-s2", head_sha: HEAD, output: { title: "Queued: segment 2", summary: expect.stringContaining("starts from the latest checkpoint of run `c500`") } });
    expect(replies).toEqual(["@Codertocat Continuing run `c500` as segment 2, run `c500-s2`: it starts from checkpoint #4 of `c500`."]);

    // GitHub redelivers the same comment: the gate is read again (with the cached token), nothing is started or said.
    const again = harness.github();
    mockNoConfig(again);
    again.get(`${repoPath}/collaborators/Codertocat/permission`).reply(200, permission("write")).get(`${repoPath}/pulls/1`).reply(200, pullRequest());
    await harness.probot.receive({ ...delivery, id: "redelivered" });
    expect(compute.submitted).toHaveLength(1);
    expect(replies).toHaveLength(1);
  });

  it("takes new parameters and --timeout, keeps the rest, and trains the PR's new head when it moved, saying which commit and why", async () => {
    const { compute } = await setup([{ request: request("c500"), result: { status: "interrupted" } }]);
    const checks: any[] = [];
    const replies: string[] = [];
    const scope = mockGate(undefined, { head: NEW_HEAD }).get(contentsPath(NB, NEW_HEAD)).reply(200, '{"cells": [], "nbformat": 4}', RAW_HEADERS);
    mockStarted(scope, checks, replies);
    await harness.probot.receive(comment("/train continue c500 lr=0.1 --timeout 30m"));
    expect(compute.submitted[0]).toMatchObject({ runId: "c500-s2", headSha: NEW_HEAD, parameters: { lr: 0.1, epochs: 30 }, resources: { timeoutSeconds: 1800 }, from: "run:c500" });
    expect(replies[0]).toContain("head moved from ec26c3e (run `c500`) to 0123456; this segment trains 0123456, the pull request's latest commit");
    expect(checks[0].head_sha).toBe(NEW_HEAD);
  });

  it.each([
    ["a completed run", [{ request: request("c500"), result: { status: "completed" } }], "/train continue c500", /it completed\. Start a new run with `\/train`/],
    ["a run still going", [{ request: request("c500"), result: { status: "running" }, active: true }], "/train continue c500", /it has not finished yet/],
    ["a run that saved no checkpoint", [{ request: request("c500"), result: { checkpoint_sequence: null } }], "/train continue c500", /it saved no checkpoint, so there is nothing to continue from/],
    ["a run continued already", [{ request: request("c500"), result: {} }, { request: request("c500-s2", { segment: { number: 2, previous: "c500", root: "c500" } }), active: true, result: null }], "/train continue c500", /already continued as run `c500-s2`/],
    ["an unknown run", [{ request: request("c500"), result: {} }], "/train continue c999", /There is no run `c999` in this repository/],
    ["a run of another pull request", [{ request: request("c500", { pullNumber: 2 }), result: {} }], "/train continue c500", /belongs to pull request #2, not this one; comment `\/train continue c500` there/],
    ["a budget above the limit", [{ request: request("c500"), result: {} }], "/train continue --budget 2d", /`--budget 2d` is over this repository's limit of 1d \(`train.limits.max_budget`\)/],
    ["nothing to continue", [{ request: request("c500"), result: { status: "completed" } }], "/train continue", /No run of this pull request can be continued:\n- Run `c500` cannot be continued: it completed/],
  ])("refuses %s with a reply that says why, and submits nothing", async (_name, runs, body, message) => {
    const { compute } = await setup(runs as never);
    const replies: string[] = [];
    mockRefusal(mockGate(), replies);
    await harness.probot.receive(comment(body));
    expect(compute.submitted).toEqual([]);
    expect(replies).toEqual([expect.stringMatching(message)]);
  });

  it("refuses a reader like /train, before it looks at any run", async () => {
    const { compute } = await setup([{ request: request("c500"), result: {} }]);
    const replies: string[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    mockNoConfig(scope);
    scope.get(`${repoPath}/collaborators/Codertocat/permission`).reply(200, permission("read")).get(`${repoPath}/pulls/1`).reply(200, pullRequest());
    mockRefusal(scope, replies);
    await harness.probot.receive(comment("/train continue"));
    expect(compute.submitted).toEqual([]);
    expect(replies[0]).toMatch(/write/);
  });

  it("refuses flags that belong to a new run, with what to write instead", async () => {
    const { compute } = await setup([]);
    const replies: string[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    mockRefusal(scope, replies);
    await harness.probot.receive(comment("/train continue c500 --gpus 2"));
    expect(compute.submitted).toEqual([]);
    expect(replies[0]).toContain("`/train continue` keeps the earlier run's resources and checkpoint, so `--gpus` does not apply");
  });
});

describe("the Continue button", () => {
  function action(identifier: string, deliveryId = "action-continue") {
    const payload = loadTrainPayload("check_run.requested_action");
    payload.check_run.external_id = "c500";
    payload.requested_action = { identifier };
    return { id: deliveryId, name: "check_run" as const, payload: payload as never };
  }

  it("continues the run whose check run carries it, once per click", async () => {
    const { compute } = await setup([{ request: request("c500"), result: { status: "failed" } }]);
    const said: string[] = [];
    const checks: any[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    mockNoConfig(scope);
    scope
      .get(`${repoPath}/collaborators/Codertocat/permission`)
      .reply(200, permission("write"))
      .get(`${repoPath}/pulls/1`)
      .reply(200, pullRequest())
      .post(`${repoPath}/check-runs`, (body: any) => checks.push(body) > 0)
      .reply(201, { id: 78 })
      .post(`${repoPath}/issues/1/comments`, (body: any) => said.push(body.body) > 0)
      .reply(201, { id: 902 });
    await harness.probot.receive(action("nbtrain-continue"));
    expect(compute.submitted.map((job) => [job.runId, job.from, job.headSha])).toEqual([["c500-s2", "run:c500", HEAD]]);
    expect(said[0]).toContain("Continuing run `c500` as segment 2");

    // The same click redelivered: the config and permission are read, nothing else happens.
    // (The installation token from the first click is still valid: none is requested.)
    const again = harness.github();
    mockNoConfig(again);
    again.get(`${repoPath}/collaborators/Codertocat/permission`).reply(200, permission("write"));
    await harness.probot.receive(action("nbtrain-continue"));
    expect(compute.submitted).toHaveLength(1);
  });
});

describe("/train --from and --budget", () => {
  it.each([
    ["a `..` segment", `/train ${NB} --from s3://colab-imports/checkpoints/../secrets`, /a `\.\.` segment is not allowed/],
    ["a folder outside the configured locations", `/train ${NB} --from gdrive://MyDrive/private`, /reads checkpoints only from `file:|reads checkpoints only from `s3:\/\/colab-imports\/checkpoints`/],
    ["an unknown run", `/train ${NB} --from c999`, /there is no run `c999` in this repository/],
    ["a run of another pull request", `/train ${NB} --from c600`, /run `c600` belongs to pull request #2/],
    ["a budget above the limit", `/train ${NB} --budget 2d`, /`--budget 2d` is over this repository's limit of 1d/],
  ])("refuses %s with what to do, and submits nothing", async (_name, body, message) => {
    const { compute } = await setup([{ request: request("c600", { pullNumber: 2 }), result: {} }]);
    const replies: string[] = [];
    const scope = mockGate();
    if (/--budget/u.test(body)) scope.get(contentsPath(NB, HEAD)).reply(200, '{"cells": []}', RAW_HEADERS);
    mockRefusal(scope, replies);
    await harness.probot.receive(comment(body));
    expect(compute.submitted).toEqual([]);
    expect(replies).toEqual([expect.stringMatching(message)]);
  });

  it("accepts a folder inside a configured location and an earlier run of the PR, and the job gets it as NBTRAIN_FROM's source", async () => {
    const { train, compute } = await setup([{ request: request("c500"), result: {} }]);
    await train.store.put("runs/Codertocat/Hello-World/c500/manifest.json", Buffer.from("{}"));
    for (const [id, from, expected] of [
      [COMMENT_ID, "s3://colab-imports/checkpoints/digits", "s3://colab-imports/checkpoints/digits"],
      [COMMENT_ID + 1, "c500", "run:c500"],
    ] as const) {
      const scope = mockGate(undefined, { tokenCached: id !== COMMENT_ID }).get(contentsPath(NB, HEAD)).reply(200, '{"cells": []}', RAW_HEADERS);
      scope
        .post(`${repoPath}/issues/comments/${id}/reactions`)
        .reply(201, { id: 1, node_id: "R", content: "eyes", created_at: FIXED_NOW.toISOString(), user: null })
        .post(`${repoPath}/check-runs`)
        .reply(201, { id: 80 })
        .post(`${repoPath}/issues/comments/${id}/reactions`)
        .reply(201, { id: 2, node_id: "R", content: "rocket", created_at: FIXED_NOW.toISOString(), user: null });
      await harness.probot.receive(comment(`/train ${NB} --from ${from} --budget 5h`, { id }));
      expect(compute.submitted.at(-1)).toMatchObject({ runId: `c${id}`, from: expected });
    }
  });
});

describe("--budget chaining", () => {
  const budget = { seconds: 3 * 3600, startedAt: "2026-11-27T10:00:00.000Z" };

  function event(patch: Partial<JobStateEvent> = {}): JobStateEvent {
    return { runId: "c500", status: "failed", attempt: 1, reason: "Job attempt duration exceeded timeout", target: { owner: "Codertocat", repo: "Hello-World", pullNumber: 1, headSha: HEAD, checkRunId: 61, installationId: 2, notebook: NB }, ...patch };
  }

  function mockReport(scope: ReturnType<typeof harness.github>, patches: any[]) {
    return scope
      .patch(`${repoPath}/check-runs/61`, (body: any) => patches.push(body) > 0)
      .reply(200, { id: 61 })
      .get(`${repoPath}/issues/1/comments?per_page=100`)
      .reply(200, [])
      .post(`${repoPath}/issues/1/comments`)
      .reply(201, { id: 70 });
  }

  it("a timed-out segment that saved a new checkpoint is followed by the next one, same commit and parameters, once under a redelivered event", async () => {
    const { compute, registry } = await setup([{ request: request("c500", { budget }), result: { restored_sequence: 2, checkpoint_sequence: 4 }, active: true }]);
    const patches: any[] = [];
    const checks: any[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    mockReport(scope, patches).post(`${repoPath}/check-runs`, (body: any) => checks.push(body) > 0).reply(201, { id: 79 });
    await compute.emit(event());
    expect(patches[0]).toMatchObject({ conclusion: "timed_out" });
    expect(patches[0].output.summary).toContain("**Budget:** segment 2 (run `c500-s2`) continues from this run's latest checkpoint, with up to 1h.");
    expect(compute.submitted).toHaveLength(1);
    // 2 h of the 3 h budget were used (10:00 → FIXED_NOW 12:00): the next segment gets the per-job hour.
    expect(compute.submitted[0]).toMatchObject({ runId: "c500-s2", headSha: HEAD, parameters: { lr: 0.5, epochs: 30 }, from: "run:c500", resources: { timeoutSeconds: 3600 } });
    expect(await registry.readRequest("Codertocat", "Hello-World", "c500-s2")).toMatchObject({ budget, segment: { number: 2, previous: "c500", root: "c500" } });
    expect(checks[0]).toMatchObject({ external_id: "c500-s2", output: { title: "Queued: segment 2" } });

    // EventBridge delivers the same event again: the report is written again, no second segment.
    const again = harness.github();
    mockReport(again, patches);
    await compute.emit(event());
    expect(compute.submitted).toHaveLength(1);
  });

  it("chains a segment the backend stopped at its timeout (the runner saw SIGTERM and said interrupted)", async () => {
    const { compute } = await setup([{ request: request("c500", { budget }), result: { status: "interrupted", restored_sequence: 2, checkpoint_sequence: 3 }, active: true }]);
    const patches: any[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    mockReport(scope, patches).post(`${repoPath}/check-runs`).reply(201, { id: 81 });
    await compute.emit(event({ reason: "timed out after 3600s (--timeout); the run was stopped" }));
    expect(patches[0]).toMatchObject({ conclusion: "timed_out" });
    expect(compute.submitted.map((job) => job.runId)).toEqual(["c500-s2"]);
  });

  it("stops a chain whose segment made no progress, and says so on the check run", async () => {
    const { compute } = await setup([{ request: request("c500", { budget }), result: { restored_sequence: 4, checkpoint_sequence: 4 }, active: true }]);
    const patches: any[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    mockReport(scope, patches);
    await compute.emit(event());
    expect(compute.submitted).toEqual([]);
    expect(patches[0].output.summary).toContain("**Budget:** the chain stops here: the segment saved no new checkpoint (it still had checkpoint #4)");
    expect(patches[0].actions.map((a: { identifier: string }) => a.identifier)).toEqual(["nbtrain-rerun", "nbtrain-continue"]);
  });

  it("judges each next segment by the operator's policy as it stands then: a cap lowered mid-chain stops it, saying what to change", async () => {
    const { compute, train } = await setup([{ request: request("c500", { budget }), result: { restored_sequence: 2, checkpoint_sequence: 4 }, active: true }]);
    // Days into the chain, the operator lowers NBTRAIN_MAX_TIMEOUT below the segment's hour.
    Object.assign(train.policy, { maxTimeoutSeconds: 1800 });
    const patches: any[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    mockReport(scope, patches);
    await compute.emit(event());
    expect(compute.submitted).toEqual([]);
    expect(patches[0]).toMatchObject({ conclusion: "timed_out" });
    const summary: string = patches[0].output.summary;
    expect(summary).toContain("**Budget:** the chain stops here: the deployment's policy no longer allows the next segment.");
    expect(summary).toContain("A timeout of 1h (`--timeout`) is longer than this deployment allows: at most 30m per run (NBTRAIN_MAX_TIMEOUT).");
    expect(summary).toContain("`/train continue c500` goes on.");
    expect(patches[0].actions.map((a: { identifier: string }) => a.identifier)).toContain("nbtrain-continue");
  });

  it("lists every segment of the training on the last one's check run", async () => {
    const { compute } = await setup([
      { request: request("c500", { budget, checkRunId: 60 }), result: { status: "timed-out", checkpoint_sequence: 4, metrics: { loss: 0.5 } } },
      { request: request("c500-s2", { budget, from: "run:c500", segment: { number: 2, previous: "c500", root: "c500" }, requestedAt: "2026-11-27T11:00:00.000Z" }), result: { status: "completed", restored_sequence: 1, checkpoint_sequence: 6, metrics: { loss: 0.2 } }, active: true },
    ]);
    const patches: any[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    mockReport(scope, patches);
    await compute.emit(event({ runId: "c500-s2", status: "succeeded", reason: undefined, target: { ...event().target, checkRunId: 61 } } as never));
    const summary: string = patches[0].output.summary;
    expect(summary).toContain("#### Segments");
    expect(summary).toContain("| 1 | [`c500`](https://github.com/Codertocat/Hello-World/runs/60) | 2026-11-27 10:00:00 UTC | timed-out | fresh start | loss 0.5 |");
    expect(summary).toContain("| 2 | [`c500-s2`](https://github.com/Codertocat/Hello-World/runs/61) | 2026-11-27 11:00:00 UTC | completed | checkpoint of `c500` | loss 0.2 |");
    expect(compute.submitted).toEqual([]);
  });
});


