import { BatchClient } from "@aws-sdk/client-batch";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsBatchCompute } from "../../src/compute/aws-batch-compute.js";
import { loadTrainDeps } from "../../src/app/load-train-deps.js";
import { readCloudWatchLogTail } from "../../src/compute/read-cloudwatch-log-tail.js";
import { RunRegistry } from "../../src/runs/run-registry.js";
import { FileStore } from "../../src/storage/file-store.js";
import { mockInstallationToken, useTestHarness } from "../support/test-app.js";
import { mockCheckRunAndComment } from "../support/pr-scopes.js";
import { a10gResources, outOfMemoryEvent, runRequest } from "../support/run-requests.js";
import { trainDeps } from "../support/train-harness.js";
import { openPolicy } from "../support/open-policy.js";

// A failed Batch run's report quotes the end of its CloudWatch log stream, read with the real
// CloudWatch Logs client (its `send` mocked), and still completes when the log cannot be read.

const harness = useTestHarness();
const batch = mockClient(BatchClient);
const logsClient = mockClient(CloudWatchLogsClient);

let dispose: () => void = () => {};
let store: FileStore;
beforeEach(() => {
  batch.reset();
  logsClient.reset();
});
afterEach(() => dispose());

async function load(drive?: { ids: Map<string, string>; asked: string[] }) {
  const local = trainDeps();
  dispose = local.dispose;
  const compute = new AwsBatchCompute({ region: "eu-west-1", queues: ["nbtrain-a10g"] });
  store = new FileStore(local.root);
  // A store that, like the Drive store, knows each object's Drive file id.
  const train = drive
    ? { compute, store: Object.assign(store, { driveFileId: async (key: string) => (drive.asked.push(key), drive.ids.get(key) ?? null) }), storeUri: "gdrive://MyDrive/nbtrain", policy: openPolicy("gdrive://MyDrive/nbtrain"), backend: "aws-batch" as const }
    : { compute, store, storeUri: "s3://nbtrain-artifacts/prod", policy: openPolicy("s3://nbtrain-artifacts/prod"), backend: "aws-batch" as const };
  await harness.load({ train: { ...train, readLogTail: readCloudWatchLogTail() } });
  return compute;
}

/** Reports the out-of-memory FAILED event for run c2468013579 and returns the check run's completion. */
async function reportOutOfMemory(compute: AwsBatchCompute): Promise<any> {
  await new RunRegistry(store).writeRequest(runRequest("c2468013579", 4242, { resources: a10gResources("nbtrain-a10g") }));
  const raw = outOfMemoryEvent();
  const patches: any[] = [];
  mockCheckRunAndComment(mockInstallationToken(harness.github()), 4242, { pull: 1, onUpdate: (body) => patches.push(body) });
  expect((await compute.handleEvent(raw)).kind).toBe("event");
  for (let i = 0; i < 200 && patches.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (patches.length === 0) throw new Error("timed out waiting for the report");
  return patches[0];
}

describe("the failure log tail of a Batch run", () => {
  it("shows the last lines of the job's CloudWatch stream, redacted, in the failed check run", async () => {
    logsClient.on(GetLogEventsCommand).resolves({
      events: [{ message: "epoch 3 loss 0.41" }, { message: "cloning with ghs_abcdefghijklmnopqrstuvwxyz0123456789" }, { message: "torch.cuda.OutOfMemoryError: CUDA out of memory." }],
    });
    const patch = await reportOutOfMemory(await load());
    expect(patch).toMatchObject({ status: "completed", conclusion: "failure" });
    const text: string = `${patch.output.summary}\n${patch.output.text ?? ""}`;
    expect(text).toContain("Last 3 log lines");
    expect(text).toContain("epoch 3 loss 0.41\ncloning with [REDACTED]\ntorch.cuda.OutOfMemoryError: CUDA out of memory.");
    expect(text).not.toContain("ghs_abcdefghijklmnopqrstuvwxyz0123456789");
    expect(text).toContain("Out of memory at 16 GiB");
    expect(logsClient.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input)).toEqual([
      { logGroupName: "/nbtrain/jobs", logStreamName: "nbtrain-runner/default/eeee5555", startFromHead: false, limit: 50 },
    ]);
  });

  it("completes the check run with a 'log unavailable' note when CloudWatch refuses", async () => {
    logsClient.on(GetLogEventsCommand).rejects(Object.assign(new Error("not authorized on arn:aws:logs:secret-detail"), { name: "AccessDeniedException" }));
    const patch = await reportOutOfMemory(await load());
    expect(patch).toMatchObject({ status: "completed", conclusion: "failure" });
    const text: string = `${patch.output.summary}\n${patch.output.text ?? ""}`;
    expect(text).toContain("log unavailable (CloudWatch Logs GetLogEvents failed with AccessDeniedException)");
    expect(text).not.toContain("secret-detail");
  });
});

describe("the executed notebook of a Drive-stored run", () => {
  it("links to Open in Colab by the notebook's Drive file id", async () => {
    logsClient.on(GetLogEventsCommand).resolves({ events: [] });
    const drive = { ids: new Map([["runs/Codertocat/Hello-World/c2468013579/output.ipynb", "1DriveFileId"]]), asked: [] as string[] };
    const patch = await reportOutOfMemory(await load(drive));
    expect(drive.asked).toEqual(["runs/Codertocat/Hello-World/c2468013579/output.ipynb"]);
    expect(patch.output.summary).toContain("- Executed notebook (Open in Colab): <https://colab.research.google.com/drive/1DriveFileId>");
  });

  it("falls back to the Drive path when the notebook is not there", async () => {
    logsClient.on(GetLogEventsCommand).resolves({ events: [] });
    const patch = await reportOutOfMemory(await load({ ids: new Map(), asked: [] }));
    expect(patch.output.summary).toContain("- Executed notebook (in Google Drive; open it with Colab to continue): `MyDrive/nbtrain/runs/Codertocat/Hello-World/c2468013579/output.ipynb`");
    expect(patch.output.summary).not.toContain("colab.research.google.com");
  });
});

describe("loadTrainDeps on aws-batch", () => {
  it("wires the CloudWatch log tail reader", async () => {
    const train = await loadTrainDeps({ NBTRAIN_COMPUTE: "aws-batch", AWS_REGION: "eu-west-1", NBTRAIN_BATCH_QUEUES: "nbtrain-a10g", NBTRAIN_STORE: "s3://nbtrain-artifacts/prod" }, process.cwd(), () => {});
    expect(train!.readLogTail).toBeTypeOf("function");
    logsClient.on(GetLogEventsCommand).resolves({ events: [{ message: "last line" }] });
    expect(await train!.readLogTail!({ kind: "cloudwatch", region: "eu-west-1", group: "/aws/batch/job", stream: "s" })).toBe("last line");
    await train!.close?.();
  });
});
