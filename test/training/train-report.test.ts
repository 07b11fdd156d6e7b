import { afterEach, describe, expect, it } from "vitest";
import type { JobStateEvent } from "../../src/compute/compute.js";
import { RunRegistry } from "../../src/runs/run-registry.js";
import { RUNS_END, RUNS_START } from "../../src/report/compose-sticky-comment.js";
import { STICKY_MARKER } from "../../src/report/render-pr-comment.js";
import { BASE, FIXED_NOW, HEAD, mockInstallationToken, mockNoConfig, useTestHarness } from "../support/test-app.js";
import { runRequest } from "../support/run-requests.js";
import { loadTrainPayload, mockCommandReads, permission, RecordingCompute, trainDeps } from "../support/train-harness.js";

const harness = useTestHarness();
const repoPath = "/repos/Codertocat/Hello-World";
const NB = "notebooks/spiral.ipynb";
const CHECK_PART = `${STICKY_MARKER}\n### nbtrain · notebooks\n\nChecked a against b.\n`;

let disposers: Array<() => void> = [];
afterEach(() => {
  for (const dispose of disposers) dispose();
  disposers = [];
});

async function setup(options: { readLogTail?: string } = {}) {
  const compute = new RecordingCompute();
  const train = trainDeps(compute);
  disposers.push(train.dispose);
  await harness.load({ train: { ...train, ...(options.readLogTail !== undefined ? { readLogTail: async () => options.readLogTail! } : {}) } });
  const registry = new RunRegistry(train.store);
  await registry.writeRequest(runRequest("c500", 61, { parameters: { lr: 0.5 }, requestedAt: FIXED_NOW.toISOString() }));
  await registry.markActive("Codertocat", "Hello-World", 1, "c500");
  return { compute, registry, train };
}

function event(status: JobStateEvent["status"], patch: Partial<JobStateEvent> = {}): JobStateEvent {
  return { runId: "c500", status, attempt: 1, target: { owner: "Codertocat", repo: "Hello-World", pullNumber: 1, headSha: HEAD, checkRunId: 61, installationId: 2, notebook: NB }, ...patch };
}

/** The sticky comment as it stands (the notebook check's part) and what the app writes to it. */
function mockSticky(scope: ReturnType<typeof harness.github>, written: string[], existing = CHECK_PART) {
  return scope
    .get(`${repoPath}/issues/1/comments?per_page=100`)
    .reply(200, [{ id: 70, body: existing, user: { login: "nbtrain[bot]", type: "Bot" } }])
    .patch(`${repoPath}/issues/comments/70`, (body: any) => written.push(body.body) > 0)
    .reply(200, { id: 70 });
}

/** A run's report: the token, `times` updates of check run 61 into `patches`, and the sticky comment. */
function mockReport(patches: unknown[], written: string[], times = 1) {
  const scope = harness.github();
  mockInstallationToken(scope);
  scope.patch(`${repoPath}/check-runs/61`, (body) => patches.push(body) > 0).times(times).reply(200, { id: 61 });
  return mockSticky(scope, written);
}

async function put(store: { put: (key: string, body: Uint8Array) => Promise<unknown> }, key: string, value: unknown) {
  await store.put(key, Buffer.from(typeof value === "string" ? value : JSON.stringify(value)));
}

function result(patch: Record<string, unknown> = {}) {
  return {
    format: "nbtrain-result/1",
    run_id: "c500",
    status: "completed",
    attempt: 2,
    started_at: "2026-11-27T11:58:00Z",
    finished_at: "2026-11-27T12:00:00Z",
    duration_seconds: 95,
    resumed: true,
    restored_sequence: 3,
    checkpoint_sequence: 5,
    cells_total: 5,
    cells_executed: 5,
    metrics: { epochs: 3, loss: 0.25, accuracy: 0.9 },
    metrics_points: 3,
    parameters: { lr: 0.5 },
    python: "/usr/bin/python3",
    failure: null,
    warnings: [],
    ...patch,
  };
}

describe("job state events on GitHub", () => {
  it("queued adds the run's line to the sticky comment and keeps the notebook check's part", async () => {
    const { compute } = await setup();
    const written: string[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    mockSticky(scope, written);
    await compute.emit(event("queued"));
    expect(written).toHaveLength(1);
    expect(written[0]!.startsWith(CHECK_PART.trimEnd())).toBe(true);
    expect(written[0]).toContain(`${RUNS_START}\n### nbtrain · training runs\n\n- <!-- nbtrain:run:c500 -->🕒 **queued** · \`c500\` · \`${NB}\` · [details](https://github.com/Codertocat/Hello-World/runs/61)\n${RUNS_END}`);
  });

  it("running moves the check run to in_progress with a Cancel button and rewrites only that run's line", async () => {
    const { compute } = await setup();
    const written: string[] = [];
    const patches: any[] = [];
    const scope = harness.github();
    mockInstallationToken(scope);
    scope.patch(`${repoPath}/check-runs/61`, (body) => patches.push(body) > 0).reply(200, { id: 61 });
    const existing = `${CHECK_PART}\n${RUNS_START}\n### nbtrain · training runs\n\n- <!-- nbtrain:run:c400 -->✅ **succeeded** · \`c400\`\n- <!-- nbtrain:run:c500 -->🕒 **queued** · \`c500\`\n${RUNS_END}\n`;
    mockSticky(scope, written, existing);
    await compute.emit(event("running"));
    expect(patches).toEqual([
      {
        status: "in_progress",
        output: { title: "Running attempt 1", summary: `Run \`c500\` of \`${NB}\` is running.` },
        actions: [{ label: "Cancel", description: "Stop this training run", identifier: "nbtrain-cancel" }],
      },
    ]);
    const lines = written[0]!.split("\n").filter((line) => line.startsWith("- <!-- nbtrain:run:"));
    expect(lines).toEqual(["- <!-- nbtrain:run:c400 -->✅ **succeeded** · `c400`", expect.stringContaining("🏃 **running** · `c500`")]);
  });

  it("a retry after an interruption stays in_progress, says so, and records the interruption for the report", async () => {
    const { compute, registry } = await setup();
    const written: string[] = [];
    const patches: any[] = [];
    mockReport(patches, written);
    await compute.emit(event("queued", { attempt: 2, retryOf: { attempt: 1, reason: "the runner was killed by SIGKILL" } }));
    expect(patches[0]).toMatchObject({ status: "in_progress", output: { title: "Attempt 1 interrupted; resuming as attempt 2" } });
    expect((await registry.readRequest("Codertocat", "Hello-World", "c500"))!.interruptions).toEqual(["attempt 1: the runner was killed by SIGKILL"]);
    expect(written[0]).toContain("🔁 **retrying** · `c500` · `notebooks/spiral.ipynb` · attempt 2");
  });

  it("success completes the check run with metrics, deltas against the merge base's baseline, the chart and links, and writes no baseline", async () => {
    const { compute, registry, train } = await setup();
    const baseline = { format: "nbtrain-baseline/2" as const, runId: "b-f95f852-1", branch: "master", notebook: NB, parameters: {}, finishedAt: "2026-11-26T00:00:00Z", metrics: { loss: 0.5, accuracy: 0.9 } };
    await registry.writeCommitBaseline("Codertocat", "Hello-World", { ...baseline, commit: BASE });
    await put(train.store, "runs/Codertocat/Hello-World/c500/result.json", result());
    await put(train.store, "runs/Codertocat/Hello-World/c500/metrics.jsonl", '{"epoch":1,"loss":0.9,"accuracy":0.5}\n{"epoch":2,"loss":0.5,"accuracy":0.8}\nnot json\n{"epoch":3,"loss":0.25,"accuracy":0.9}\n');
    const written: string[] = [];
    const patches: any[] = [];
    // The merge base of the PR with its base branch is BASE, which has a baseline.
    mockReport(patches, written).get(`${repoPath}/compare/master...${HEAD}`).query(true).reply(200, { merge_base_commit: { sha: BASE } });
    await compute.emit(event("succeeded", { attempt: 2, exitCode: 0, logs: { kind: "file", path: "/srv/.nbtrain/local/logs/c500/attempt-2.log" } }));

    expect(patches).toHaveLength(1);
    const update = patches[0];
    expect(update).toMatchObject({ status: "completed", conclusion: "success", completed_at: FIXED_NOW.toISOString(), output: { title: `✅ trained: ${NB} in 1m35s` }, actions: [{ identifier: "nbtrain-rerun" }] });
    const summary: string = update.output.summary;
    expect(summary).toContain("| `c500` | completed | 1m35s | 2 (1 interruption survived) | 5 of 5 |");
    expect(summary).toContain("| Metric | Value | Baseline | Δ vs master at `f95f852` |");
    expect(summary).toContain("| loss | 0.25 | 0.5 | −0.25 (−50%) |");
    expect(summary).toContain("| accuracy | 0.9 | 0.9 | ±0 |");
    expect(summary).toContain("| epochs | 3 | – | new |");
    expect(summary).toContain(`Compared with the merge base: \`${BASE}\` on \`master\`.`);
    expect(summary).toContain('```mermaid\nxychart-beta\n  title "loss"\n  x-axis "epoch" [1, 2, 3]\n  y-axis "loss"\n  line [0.9, 0.5, 0.25]\n```');
    expect(summary).toContain(`- Executed notebook: \`${train.root}/runs/Codertocat/Hello-World/c500/output.ipynb\``);
    expect(summary).toContain("- Log on the bot's machine: `/srv/.nbtrain/local/logs/c500/attempt-2.log`");
    // A PR's run never becomes a baseline; the comparison is kept for the run page.
    expect([...(await registry.listBaselineCommits("Codertocat", "Hello-World", "master", NB))]).toEqual([BASE]);
    expect(await train.store.list("baselines/Codertocat/Hello-World/")).toHaveLength(1);
    expect(await train.store.head("runs/Codertocat/Hello-World/c500/comparison.json")).not.toBeNull();
    expect(await registry.listActive("Codertocat", "Hello-World")).toEqual([]);
    expect(written[0]).toContain("✅ **succeeded** · `c500` · `notebooks/spiral.ipynb` · attempt 2 · 1m35s · epochs 3, loss 0.25 (−0.25 (−50%)), accuracy 0.9 (±0) · [details](https://github.com/Codertocat/Hello-World/runs/61)");
  });

  it("failure reports the failing cell, ename, evalue, the log's last lines and the out-of-memory hint", async () => {
    const { compute, train } = await setup({ readLogTail: "step 1\nstep 2\nKilled\n" });
    await put(train.store, "runs/Codertocat/Hello-World/c500/result.json", result({ status: "failed", attempt: 1, resumed: false, failure: { cell_index: 2, ename: "MemoryError", evalue: "Unable to allocate 32.0 GiB" } }));
    const patches: any[] = [];
    mockReport(patches, []);
    await compute.emit(event("failed", { exitCode: 137, outOfMemory: true, reason: "OutOfMemoryError: Container killed due to memory usage", logs: { kind: "file", path: "/x.log" } }));
    const summary: string = patches[0].output.summary;
    expect(patches[0].conclusion).toBe("failure");
    expect(summary).toContain("Cell 3 raised `MemoryError`:\n\n```text\nUnable to allocate 32.0 GiB\n```");
    expect(summary).toContain("Out of memory at 16 GiB: try `--memory 64GiB` or a smaller batch size.");
    expect(summary).toContain("<summary>Last 3 log lines</summary>\n\n```text\nstep 1\nstep 2\nKilled\n```");
  });

  it("a run the runner reports timed out concludes timed_out; a cancelled event concludes cancelled", async () => {
    const { compute, train } = await setup();
    await put(train.store, "runs/Codertocat/Hello-World/c500/result.json", result({ status: "timed-out" }));
    const patches: any[] = [];
    mockSticky(mockReport(patches, [], 2), []);
    await compute.emit(event("failed", { exitCode: 1, reason: "the runner exited with code 1; see its log" }));
    await compute.emit(event("cancelled", { reason: "cancelled" }));
    expect(patches.map((patch) => patch.conclusion)).toEqual(["timed_out", "cancelled"]);
  });

  it("a job that died before writing result.json still completes its check run as a failure", async () => {
    const { compute } = await setup();
    const patches: any[] = [];
    mockReport(patches, []);
    await compute.emit(event("failed", { reason: "could not start the runner (node): ENOENT" }));
    expect(patches[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(patches[0].output.summary).toContain("**Why:** could not start the runner \\(node\\): ENOENT");
  });
});

describe("check run buttons", () => {
  function action(identifier: string) {
    const payload = loadTrainPayload("check_run.requested_action");
    payload.check_run.external_id = "c500";
    payload.requested_action = { identifier };
    return { id: `action-${identifier}`, name: "check_run" as const, payload: payload as never };
  }

  it("Cancel cancels the run through Compute and completes its check run as cancelled", async () => {
    const { compute } = await setup();
    const patches: any[] = [];
    const scope = mockCommandReads(harness.github(), { permission: "maintain", pr: false });
    scope
      .patch(`${repoPath}/check-runs/61`, (body) => patches.push(body) > 0)
      .reply(200, { id: 61 });
    mockSticky(scope, []);
    await harness.probot.receive(action("nbtrain-cancel"));
    expect(compute.cancelled).toEqual(["c500"]);
    expect(patches[0]).toMatchObject({ status: "completed", conclusion: "cancelled" });
  });

  it("Re-run trains the same notebook at the same commit as run c500-r1", async () => {
    const { compute, registry } = await setup();
    await registry.stageNotebook({ owner: "Codertocat", repo: "Hello-World", runId: "c500" }, Buffer.from("{}"));
    await registry.clearActive("Codertocat", "Hello-World", 1, "c500");
    const created: any[] = [];
    // The re-run reads the PR to know whether it comes from a fork (train.forks).
    const scope = mockCommandReads(harness.github());
    scope
      .post(`${repoPath}/check-runs`, (body) => created.push(body) > 0)
      .reply(201, { id: 62 });
    await harness.probot.receive(action("nbtrain-rerun"));
    // The same delivery again (GitHub redelivers on a timeout): no second re-run.
    const scope2 = mockNoConfig(harness.github());
    scope2.get(`${repoPath}/collaborators/Codertocat/permission`).reply(200, permission("write"));
    await harness.probot.receive(action("nbtrain-rerun"));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ name: `nbtrain / train: ${NB}`, head_sha: HEAD, external_id: "c500-r1", status: "queued" });
    expect(compute.submitted.map((job) => [job.runId, job.checkRunId, job.headSha, job.parameters])).toEqual([["c500-r1", 62, HEAD, { lr: 0.5 }]]);
    // The re-run prepares the repository's tree as the config says, as a /train run does.
    expect(compute.submitted[0]!.source).toEqual({ requirements: "off", lfs: false });
  });

  it("a button nbtrain did not put there is ignored before anything is read", async () => {
    const { compute } = await setup();
    await harness.probot.receive(action("nbtrain-unknown"));
    expect(compute.cancelled).toEqual([]);
    expect(compute.submitted).toEqual([]);
    expect(harness.contract.checked).toEqual([]);
  });

  it("a button on another app's check run is ignored", async () => {
    const { compute } = await setup();
    const payload = action("nbtrain-cancel");
    (payload.payload as any).check_run.name = "API Review";
    await harness.probot.receive(payload);
    expect(compute.cancelled).toEqual([]);
    expect(harness.contract.checked).toEqual([]);
  });
});
