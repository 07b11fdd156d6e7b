import { BatchClient, ListJobsCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { CreateSecretCommand, DeleteSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsBatchCompute } from "../../src/compute/aws-batch-compute.js";
import { AwsJobSecrets, jobTokenSecretName } from "../../src/compute/aws-job-secrets.js";
import { JobToken } from "../../src/github/create-job-token.js";
import { RunRegistry } from "../../src/runs/run-registry.js";
import { FileStore } from "../../src/storage/file-store.js";
import { mockInstallationToken, notebook, useTestHarness } from "../support/test-app.js";
import { mockCheckRunAndComment } from "../support/pr-scopes.js";
import { outOfMemoryEvent, runRequest } from "../support/run-requests.js";
import { commentPayload, mockCommandReads, trainDeps } from "../support/train-harness.js";
import { openPolicy } from "../support/open-policy.js";

// The job token on AWS Batch: container overrides cannot carry secrets, so the bot writes the
// token to a short-lived Secrets Manager secret before SubmitJob, names only the secret in the
// job's environment, and deletes it when the run ends or its submit fails.

const harness = useTestHarness();
const batch = mockClient(BatchClient);
const secretsManager = mockClient(SecretsManagerClient);
const repoPath = "/repos/Codertocat/Hello-World";
const COMMENT_ID = 492700400;
const RUN_ID = `c${COMMENT_ID}`;
const NB = "notebooks/spiral.ipynb";
const JOB_TOKEN = "ghs_BatchJobTokenReadOnly0123456789abcdef";
const SECRET_NAME = `nbtrain/job-token/${RUN_ID}`;
const granted = {
  token: JOB_TOKEN,
  expires_at: "2099-01-01T00:00:00Z",
  permissions: { contents: "read", metadata: "read" },
  repository_selection: "selected",
  repositories: [{ id: 1296269, name: "Hello-World", full_name: "Codertocat/Hello-World" }],
};

let dispose: () => void = () => {};
let store: FileStore;
beforeEach(() => {
  batch.reset();
  secretsManager.reset();
});
afterEach(() => dispose());

async function load() {
  const local = trainDeps();
  dispose = local.dispose;
  const secrets = new AwsJobSecrets({ region: "eu-west-1" });
  const compute = new AwsBatchCompute({
    region: "eu-west-1",
    queues: ["nbtrain"],
    environment: (job) => ({ NBTRAIN_JOB_SOURCE: "archive", ...secrets.environmentFor(job.runId) }),
  });
  store = new FileStore(local.root);
  await harness.load({ train: { compute, store, storeUri: "s3://nbtrain-artifacts/prod", policy: openPolicy("s3://nbtrain-artifacts/prod"), backend: "aws-batch", secrets } });
  return compute;
}

function mockCommand(tokenBodies: unknown[]) {
  return mockCommandReads(harness.github(), { notebook: { path: NB, text: notebook(["x = 1"]) } })
    .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, { content: "eyes" })
    .reply(201, { id: 1, content: "eyes" })
    .post(`${repoPath}/check-runs`)
    .reply(201, { id: 4242 })
    .post("/app/installations/2/access_tokens", (body) => tokenBodies.push(body) > 0)
    .reply(201, granted);
}

const receive = () => harness.probot.receive({ id: "d-secrets", name: "issue_comment", payload: commentPayload(`/train ${NB}`) as never });

describe("/train on AWS Batch with the repository's tree", () => {
  it("writes the token to nbtrain/job-token/<run-id> before SubmitJob and names only the secret in the job's environment", async () => {
    await load();
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    batch.on(SubmitJobCommand).resolves({ jobId: "batch-job-1" });
    secretsManager.on(CreateSecretCommand).resolves({ Name: SECRET_NAME });
    const tokenBodies: unknown[] = [];
    mockCommand(tokenBodies).post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, { content: "rocket" }).reply(201, { id: 2, content: "rocket" });

    await receive();

    expect(tokenBodies).toEqual([{ repositories: ["Hello-World"], permissions: { contents: "read" } }]);
    expect(secretsManager.commandCalls(CreateSecretCommand).map((call) => call.args[0].input)).toEqual([
      {
        Name: SECRET_NAME,
        Description: `nbtrain: read-only GitHub token of run ${RUN_ID}; deleted when the run ends`,
        SecretString: JOB_TOKEN,
        Tags: [
          { Key: "nbtrain:run-id", Value: RUN_ID },
          { Key: "nbtrain:expires-at", Value: "2099-01-01T00:00:00Z" },
        ],
      },
    ]);
    const submits = batch.commandCalls(SubmitJobCommand);
    expect(submits).toHaveLength(1);
    const input = submits[0]!.args[0].input;
    const environment = Object.fromEntries(input.containerOverrides!.environment!.map((entry) => [entry.name, entry.value]));
    expect(environment).toMatchObject({ NBTRAIN_JOB_SOURCE: "archive", NBTRAIN_GITHUB_TOKEN_SECRET: SECRET_NAME, NBTRAIN_REQUIREMENTS: "off", NBTRAIN_LFS: "false" });
    expect(environment.NBTRAIN_GITHUB_API_URL).toMatch(/^https?:\/\//u);
    expect(environment).not.toHaveProperty("NBTRAIN_GITHUB_TOKEN");
    expect(JSON.stringify(input)).not.toContain(JOB_TOKEN);
    // Written before the job could start, and not deleted while it runs.
    expect(secretsManager.commandCalls(CreateSecretCommand)[0]!.calledBefore(submits[0]!)).toBe(true);
    expect(secretsManager.commandCalls(DeleteSecretCommand)).toHaveLength(0);
  });

  it("deletes the secret at once when SubmitJob fails", async () => {
    await load();
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    batch.on(SubmitJobCommand).rejects(Object.assign(new Error("queue disabled"), { name: "ClientException" }));
    secretsManager.on(CreateSecretCommand).resolves({ Name: SECRET_NAME });
    secretsManager.on(DeleteSecretCommand).resolves({ Name: SECRET_NAME });
    const patches: any[] = [];
    mockCommand([])
      .patch(`${repoPath}/check-runs/4242`, (body) => patches.push(body) > 0)
      .reply(200, { id: 4242 })
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, { content: "confused" })
      .reply(201, { id: 3, content: "confused" })
      .post(`${repoPath}/issues/1/comments`)
      .reply(201, { id: 9 });

    await receive();

    expect(patches[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(secretsManager.commandCalls(DeleteSecretCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: SECRET_NAME, ForceDeleteWithoutRecovery: true }]);
  });

  it("deletes the secret when the run reaches a terminal state", async () => {
    const compute = await load();
    secretsManager.on(DeleteSecretCommand).resolves({ Name: "nbtrain/job-token/c2468013579" });
    await new RunRegistry(store).writeRequest(runRequest("c2468013579", 4242, { resources: { jobDefinition: "nbtrain-runner:3" } }));
    const raw = outOfMemoryEvent();
    const patches: any[] = [];
    mockCheckRunAndComment(mockInstallationToken(harness.github()), 4242, { pull: 1, onUpdate: (body) => patches.push(body) });
    expect((await compute.handleEvent(raw)).kind).toBe("event");
    for (let i = 0; i < 200 && patches.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(patches[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(secretsManager.commandCalls(DeleteSecretCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: "nbtrain/job-token/c2468013579", ForceDeleteWithoutRecovery: true }]);
  });
});

describe("AwsJobSecrets", () => {
  const token = new JobToken(JOB_TOKEN, "2099-01-01T00:00:00Z", "https://api.github.com");

  it("replaces the value of a secret a redelivered command already wrote, and names it only after a put", async () => {
    const secrets = new AwsJobSecrets({ region: "eu-west-1" });
    expect(secrets.environmentFor("c7")).toEqual({});
    secretsManager.on(CreateSecretCommand).rejects(Object.assign(new Error("exists"), { name: "ResourceExistsException" }));
    secretsManager.on(PutSecretValueCommand).resolves({});
    await secrets.put("c7", token);
    expect(secretsManager.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: jobTokenSecretName("c7"), SecretString: JOB_TOKEN }]);
    expect(secrets.environmentFor("c7")).toEqual({ NBTRAIN_GITHUB_TOKEN_SECRET: "nbtrain/job-token/c7", NBTRAIN_GITHUB_API_URL: "https://api.github.com" });
  });

  it("treats a secret that is already gone as deleted, and says which permission a refusal lacks without the token", async () => {
    const secrets = new AwsJobSecrets({ region: "eu-west-1" });
    secretsManager.on(DeleteSecretCommand).rejects(Object.assign(new Error("gone"), { name: "ResourceNotFoundException" }));
    await expect(secrets.remove("c8")).resolves.toBeUndefined();
    secretsManager.on(CreateSecretCommand).rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    const error = (await secrets.put("c9", token).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toMatch(/CreateSecret nbtrain\/job-token\/c9 failed \(AccessDeniedException.*secretsmanager:CreateSecret/u);
    expect(error.message).not.toContain(JOB_TOKEN);
  });
});
