import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BatchClient, ListJobsCommand, SubmitJobCommand, type SubmitJobCommandInput } from "@aws-sdk/client-batch";
import { mockClient } from "aws-sdk-client-mock";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBatchEventsHandler } from "../../functions/lib/create-batch-events-handler.js";
import { loadJobReporter } from "../../functions/lib/load-job-reporter.js";
import { createSecretLoader } from "../../functions/lib/secret-loader.js";
import { RunRegistry } from "../../src/runs/run-registry.js";
import { FileStore } from "../../src/storage/file-store.js";
import { runRequest } from "../support/run-requests.js";
import { FIXED_NOW, mockInstallationToken, privateKey, QUIET_OCTOKIT, TOKEN, useTestHarness } from "../support/test-app.js";

// A --budget chain on AWS Batch: the batch-events function (with the real reporter, a real file
// store and Batch mocked at the SDK) sees a segment end at its timeout and submits the next one.
const harness = useTestHarness();
const batch = mockClient(BatchClient);
const fixtures = path.join(import.meta.dirname, "../fixtures/batch-events");

const RUN = "c2468013579";
const OWNER = "octo-org";
const REPO = "vision-models";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const repoPath = `/repos/${OWNER}/${REPO}`;

/** failed.json as Batch sends it when a job attempt reached its attemptDurationSeconds. */
function timedOutEvent(): Record<string, any> {
  const event = JSON.parse(readFileSync(path.join(fixtures, "failed.json"), "utf8"));
  event.detail.statusReason = "Job attempt duration exceeded timeout";
  event.detail.attempts[0].statusReason = "Job attempt duration exceeded timeout";
  event.detail.attempts[0].container.exitCode = 143;
  return event;
}

describe("--budget chaining on AWS Batch, through the batch-events function", () => {
  let storeDir: string;
  beforeEach(async () => {
    storeDir = await mkdtemp(path.join(tmpdir(), "nbtrain-chain-store-"));
    batch.reset();
  });
  afterEach(async () => {
    await rm(storeDir, { recursive: true, force: true });
  });

  function handler(env: Record<string, string>) {
    const fullEnv = { APP_ID: "1", PRIVATE_KEY: privateKey, NBTRAIN_STORE: `file://${storeDir}`, AWS_REGION: "us-east-1", ...env };
    return createBatchEventsHandler({
      loadReporter: () =>
        loadJobReporter({
          env: fullEnv,
          secrets: createSecretLoader(fullEnv, () => {
            throw new Error("no AWS in tests");
          }),
          probotOptions: { Octokit: QUIET_OCTOKIT, log: pino({ level: "silent" }) },
          clock: () => FIXED_NOW,
          readLogTail: async () => null,
        }),
      log: { info: () => undefined, error: () => undefined },
    });
  }

  /** The first segment as the webhook function left it: request, staged notebook, active, and the runner's result. */
  async function firstSegment(result: Record<string, unknown>): Promise<RunRegistry> {
    const registry = new RunRegistry(new FileStore(storeDir));
    const request = runRequest(RUN, 987654321, {
      owner: OWNER,
      repo: REPO,
      pullNumber: 42,
      headSha: SHA,
      notebook: "notebooks/mnist.ipynb",
      parameters: { lr: 0.01 },
      installationId: 13579,
      submittedAt: "2026-11-27T11:00:01.000Z",
      budget: { seconds: 3 * 3600, startedAt: "2026-11-27T11:00:00.000Z" },
      resources: { queue: "nbtrain-a10g-spot", jobDefinition: "nbtrain-runner", timeoutSeconds: 3600 },
    });
    await registry.writeRequest(request);
    await registry.stageNotebook(request, Buffer.from('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'));
    await registry.markActive(OWNER, REPO, 42, RUN);
    const store = new FileStore(storeDir);
    await store.put(
      `runs/${OWNER}/${REPO}/${RUN}/result.json`,
      Buffer.from(
        JSON.stringify({
          format: "nbtrain-result/1",
          run_id: RUN,
          status: "timed-out",
          attempt: 1,
          started_at: "2026-11-27T11:01:00.000Z",
          finished_at: "2026-11-27T12:00:00.000Z",
          duration_seconds: 3540,
          restored_sequence: 2,
          checkpoint_sequence: 4,
          cells_total: 5,
          cells_executed: 3,
          metrics: { epoch: 12, loss: 0.31 },
          metrics_points: 12,
          parameters: { lr: 0.01 },
          python: "/usr/bin/python3",
          failure: null,
          warnings: [],
          ...result,
        }),
      ),
    );
    return registry;
  }

  function mockGitHub(patches: any[], created: any[]) {
    const github = harness.github();
    mockInstallationToken(github, 13579);
    return github
      .patch(`${repoPath}/check-runs/987654321`, (body) => patches.push(body) > 0)
      .reply(200, { id: 987654321 })
      .get(`${repoPath}/issues/42/comments?per_page=100`)
      .reply(200, [])
      .post(`${repoPath}/issues/42/comments`)
      .reply(201, { id: 70 })
      .post(`${repoPath}/check-runs`, (body) => created.push(body) > 0)
      .optionally()
      .reply(201, { id: 987654322 });
  }

  it("submits the next segment to Batch from the latest checkpoint, with the same queue, job definition, commit and parameters", async () => {
    const registry = await firstSegment({});
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    batch.on(SubmitJobCommand).resolves({ jobId: "job-s2", jobName: `nbtrain-${RUN}-s2` });
    const patches: any[] = [];
    const created: any[] = [];
    const github = mockGitHub(patches, created);

    const run = handler({ NBTRAIN_BATCH_QUEUES: "nbtrain-a10g-spot", NBTRAIN_BATCH_JOB_DEFINITIONS: "nbtrain-runner" });
    expect(await run(timedOutEvent())).toMatchObject({ outcome: "reported", runId: RUN });

    expect(patches[0]).toMatchObject({ conclusion: "timed_out" });
    expect(patches[0].output.summary).toContain(`**Budget:** segment 2 (run \`${RUN}-s2\`) continues from this run's latest checkpoint`);
    const submitted = batch.commandCalls(SubmitJobCommand).map((call) => call.args[0].input as SubmitJobCommandInput);
    expect(submitted).toHaveLength(1);
    expect(submitted[0]).toMatchObject({ jobQueue: "nbtrain-a10g-spot", jobDefinition: "nbtrain-runner", tags: expect.objectContaining({ "nbtrain:run-id": `${RUN}-s2` }) });
    const environment = Object.fromEntries((submitted[0]!.containerOverrides?.environment ?? []).map((e) => [e.name, e.value]));
    expect(environment).toMatchObject({ NBTRAIN_RUN_ID: `${RUN}-s2` });
    expect(await registry.readRequest(OWNER, REPO, `${RUN}-s2`)).toMatchObject({
      headSha: SHA,
      parameters: { lr: 0.01 },
      from: `run:${RUN}`,
      segment: { number: 2, previous: RUN, root: RUN },
      budget: { seconds: 3 * 3600, startedAt: "2026-11-27T11:00:00.000Z" },
    });
    expect(created[0]).toMatchObject({ external_id: `${RUN}-s2`, head_sha: SHA });
    expect(github.isDone()).toBe(true);
    expect(JSON.stringify(patches)).not.toContain(TOKEN);
  });

  it("submits nothing when the operator has since withdrawn the run's queue, and says why on the check run", async () => {
    await firstSegment({});
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    batch.on(SubmitJobCommand).resolves({ jobId: "job-s2" });
    const patches: any[] = [];
    const created: any[] = [];
    mockGitHub(patches, created);

    await handler({ NBTRAIN_BATCH_QUEUES: "nbtrain-a10g-ondemand", NBTRAIN_BATCH_JOB_DEFINITIONS: "nbtrain-runner" })(timedOutEvent());

    expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(0);
    expect(created).toEqual([]);
    expect(patches[0].output.summary).toContain("the chain stops here: the deployment's policy no longer allows the next segment.");
    expect(patches[0].output.summary).toContain("The job queue `nbtrain-a10g-spot` (`train.gpus.default.queue`) is not one this deployment allows");
  });
});
