import { BatchClient, ListJobsCommand, SubmitJobCommand, TerminateJobCommand } from "@aws-sdk/client-batch";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsBatchCompute } from "../../src/compute/aws-batch-compute.js";
import { RunRegistry } from "../../src/runs/run-registry.js";
import { FileStore } from "../../src/storage/file-store.js";
import { HEAD, mockInstallationToken, notebook, useTestHarness } from "../support/test-app.js";
import { mockCheckRunAndComment } from "../support/pr-scopes.js";
import { a10gResources, outOfMemoryEvent, runRequest } from "../support/run-requests.js";
import { commentPayload, mockCommandReads, trainDeps } from "../support/train-harness.js";
import { openPolicy } from "../support/open-policy.js";

// The whole /train flow on the AWS Batch backend, with the Batch SDK mocked: the exact SubmitJob
// the bot sends for a command, and an EventBridge event reported back on the check run.

const harness = useTestHarness();
const batch = mockClient(BatchClient);
const repoPath = "/repos/Codertocat/Hello-World";
const COMMENT_ID = 492700400;
const NB = "notebooks/spiral.ipynb";
const CONFIG = `train:
  gpus:
    a10g:
      queue: nbtrain-a10g
      spot_queue: nbtrain-a10g-spot
      job_definition: nbtrain-runner:3
      vcpus: 8
      memory: 32GiB
  limits:
    max_gpus: 2
    max_timeout: 4h
`;

let dispose: () => void = () => {};
let store: FileStore;
beforeEach(() => batch.reset());
afterEach(() => dispose());

async function load() {
  const local = trainDeps();
  dispose = local.dispose;
  const compute = new AwsBatchCompute({ region: "eu-west-1", queues: ["nbtrain-a10g", "nbtrain-a10g-spot"] });
  store = new FileStore(local.root);
  await harness.load({ train: { compute, store, storeUri: "s3://nbtrain-artifacts/prod", policy: openPolicy("s3://nbtrain-artifacts/prod"), backend: "aws-batch" } });
  return compute;
}

describe("/train on AWS Batch", () => {
  it("sends one SubmitJob with the GPU type's queue and definition, resources, retry on Host EC2, timeout and tags", async () => {
    await load();
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    batch.on(SubmitJobCommand).resolves({ jobId: "batch-job-1", jobName: "n", jobArn: "arn:aws:batch:eu-west-1:1:job/batch-job-1" });
    mockCommandReads(harness.github(), { config: CONFIG, notebook: { path: NB, text: notebook(["x = 1"]) } })
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, { content: "eyes" })
      .reply(201, { id: 1, content: "eyes" })
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 4242 })
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, { content: "rocket" })
      .reply(201, { id: 2, content: "rocket" });

    await harness.probot.receive({ id: "d1", name: "issue_comment", payload: commentPayload(`/train ${NB} lr=0.5 --gpus 2 --memory 48GiB --timeout 3h`) as never });

    const submits = batch.commandCalls(SubmitJobCommand);
    expect(submits).toHaveLength(1);
    const input = submits[0]!.args[0].input;
    expect(input).toMatchObject({
      jobName: `nbtrain-c${COMMENT_ID}-Codertocat-Hello-World-pr1`,
      jobQueue: "nbtrain-a10g-spot",
      jobDefinition: "nbtrain-runner:3",
      retryStrategy: { attempts: 3, evaluateOnExit: [{ onStatusReason: "Host EC2*", action: "RETRY" }, { onReason: "*", action: "EXIT" }] },
      timeout: { attemptDurationSeconds: 10800 },
      propagateTags: true,
      tags: {
        "nbtrain:run-id": `c${COMMENT_ID}`,
        "nbtrain:repo": "Codertocat/Hello-World",
        "nbtrain:pr": "1",
        "nbtrain:head-sha": HEAD,
        "nbtrain:check-run-id": "4242",
        "nbtrain:installation-id": "2",
        "nbtrain:notebook": NB,
      },
    });
    // No command: the runner image's ENTRYPOINT (nbtrain-runner) reads the job from the environment.
    expect(input.containerOverrides).not.toHaveProperty("command");
    expect(input.containerOverrides!.resourceRequirements).toEqual([
      { type: "GPU", value: "2" },
      { type: "VCPU", value: "16" },
      { type: "MEMORY", value: "49152" },
    ]);
    const environment = Object.fromEntries(input.containerOverrides!.environment!.map((entry) => [entry.name, entry.value]));
    expect(environment).toMatchObject({ NBTRAIN_PARAMETERS: '{"lr":0.5}', NBTRAIN_STORE: "s3://nbtrain-artifacts/prod", NBTRAIN_HEAD_SHA: HEAD });
    expect(JSON.stringify(input)).not.toMatch(/ghs_|PRIVATE KEY|AWS_SECRET/u);
  });

  it("reports an EventBridge FAILED event for an out-of-memory job on its check run, with a CloudWatch link", async () => {
    const compute = await load();
    await new RunRegistry(store).writeRequest(runRequest("c2468013579", 4242, { resources: a10gResources("nbtrain-a10g-spot") }));
    const raw = outOfMemoryEvent();
    const patches: any[] = [];
    mockCheckRunAndComment(mockInstallationToken(harness.github()), 4242, { pull: 1, onUpdate: (body) => patches.push(body) });
    const mapped = await compute.handleEvent(raw);
    expect(mapped.kind).toBe("event");
    await new Promise((resolve) => setTimeout(resolve, 0));
    await waitFor(() => patches.length > 0);
    expect(patches[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    const summary: string = patches[0].output.summary;
    expect(summary).toContain(
      "- Logs (CloudWatch): <https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fnbtrain$252Fjobs/log-events/nbtrain-runner$252Fdefault$252Feeee5555>",
    );
    expect(summary).toContain("Out of memory at 16 GiB: try `--memory 64GiB` or a smaller batch size.");
    expect(summary).toContain("- Executed notebook: <https://s3.console.aws.amazon.com/s3/object/nbtrain-artifacts?prefix=prod%2Fruns%2FCodertocat%2FHello-World%2Fc2468013579%2Foutput.ipynb>");
  });

  it("/train cancel terminates the Batch job and completes the check run as cancelled", async () => {
    await load();
    await new RunRegistry(store).writeRequest(runRequest("c500", 4242, { resources: a10gResources("nbtrain-a10g-spot") }));
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    batch.on(ListJobsCommand, { jobQueue: "nbtrain-a10g-spot" }).resolves({ jobSummaryList: [{ jobId: "batch-job-1", jobName: "nbtrain-c500-Codertocat-Hello-World-pr1", status: "RUNNING", createdAt: 1 }] });
    batch.on(TerminateJobCommand).resolves({});
    const patches: any[] = [];
    mockCommandReads(harness.github(), { config: CONFIG, permission: "admin", pr: false })
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, { content: "eyes" })
      .reply(201, { id: 1, content: "eyes" })
      .patch(`${repoPath}/check-runs/4242`, (body) => patches.push(body) > 0)
      .reply(200, { id: 4242 })
      .get(`${repoPath}/issues/1/comments?per_page=100`)
      .reply(200, [])
      .post(`${repoPath}/issues/1/comments`)
      .times(2)
      .reply(201, { id: 5 });
    await harness.probot.receive({ id: "d2", name: "issue_comment", payload: commentPayload("/train cancel c500") as never });
    const terminates = batch.commandCalls(TerminateJobCommand);
    expect(terminates.map((call) => call.args[0].input)).toEqual([{ jobId: "batch-job-1", reason: expect.stringMatching(/^Cancelled via nbtrain/u) }]);
    expect(patches[0]).toMatchObject({ status: "completed", conclusion: "cancelled" });
  });
});

async function waitFor(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !probe(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!probe()) throw new Error("timed out waiting for the report");
}
