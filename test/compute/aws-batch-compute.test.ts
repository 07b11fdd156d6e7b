import {
  BatchClient,
  DescribeJobsCommand,
  ListJobsCommand,
  SubmitJobCommand,
  TerminateJobCommand,
} from "@aws-sdk/client-batch";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import nock from "nock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AwsBatchCompute } from "../../src/compute/aws-batch-compute.js";
import { batchJobName } from "../../src/compute/batch-job-name.js";
import type { JobStateEvent } from "../../src/compute/compute.js";
import { trainJob } from "./train-job-fixture.js";

const batch = mockClient(BatchClient);
const fixtures = join(import.meta.dirname, "../fixtures/batch-events");

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
beforeEach(() => batch.reset());

function compute(): AwsBatchCompute {
  return new AwsBatchCompute({ region: "us-east-1", queues: ["nbtrain-a10g-spot", "nbtrain-a10g-od"] });
}

describe("AwsBatchCompute.submit", () => {
  it("sends exactly the documented SubmitJob request", async () => {
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    batch.on(SubmitJobCommand).resolves({ jobId: "job-1", jobName: "x", jobArn: "arn" });
    const job = trainJob();

    await expect(compute().submit(job)).resolves.toEqual({ backendJobId: "job-1", existing: false });

    expect(batch.commandCalls(ListJobsCommand)[0]!.args[0].input).toEqual({
      jobQueue: "nbtrain-a10g-spot",
      filters: [{ name: "JOB_NAME", values: ["nbtrain-c2468013579-*"] }],
      nextToken: undefined,
    });
    const submits = batch.commandCalls(SubmitJobCommand);
    expect(submits).toHaveLength(1);
    expect(submits[0]!.args[0].input).toEqual({
      jobName: "nbtrain-c2468013579-octo-org-vision-models-pr42",
      jobQueue: "nbtrain-a10g-spot",
      jobDefinition: "nbtrain-runner:3",
      containerOverrides: {
        environment: [
          { name: "NBTRAIN_RUN_ID", value: "c2468013579" },
          { name: "NBTRAIN_REPO", value: "octo-org/vision-models" },
          { name: "NBTRAIN_PULL_NUMBER", value: "42" },
          { name: "NBTRAIN_HEAD_SHA", value: "0123456789abcdef0123456789abcdef01234567" },
          { name: "NBTRAIN_CHECK_RUN_ID", value: "987654321" },
          { name: "NBTRAIN_INSTALLATION_ID", value: "13579" },
          { name: "NBTRAIN_NOTEBOOK", value: "notebooks/mnist.ipynb" },
          { name: "NBTRAIN_PARAMETERS", value: '{"lr":0.01,"name":"a b; rm -rf / $(id)","flag":true,"x":null}' },
          { name: "NBTRAIN_STORE", value: "s3://nbtrain-artifacts/prod" },
          { name: "NBTRAIN_GPUS", value: "1" },
          { name: "NBTRAIN_TIMEOUT_SECONDS", value: "7200" },
        ],
        resourceRequirements: [
          { type: "GPU", value: "1" },
          { type: "VCPU", value: "4" },
          { type: "MEMORY", value: "16384" },
        ],
      },
      retryStrategy: {
        attempts: 3,
        evaluateOnExit: [
          { onStatusReason: "Host EC2*", action: "RETRY" },
          { onReason: "*", action: "EXIT" },
        ],
      },
      timeout: { attemptDurationSeconds: 7200 },
      tags: {
        "nbtrain:run-id": "c2468013579",
        "nbtrain:repo": "octo-org/vision-models",
        "nbtrain:pr": "42",
        "nbtrain:head-sha": "0123456789abcdef0123456789abcdef01234567",
        "nbtrain:check-run-id": "987654321",
        "nbtrain:installation-id": "13579",
        "nbtrain:notebook": "notebooks/mnist.ipynb",
      },
      propagateTags: true,
    });
    // The image's ENTRYPOINT is nbtrain-runner; a command would reach it as a spec-file argument.
    expect(submits[0]!.args[0].input.containerOverrides).not.toHaveProperty("command");
  });

  it("passes the repository's source settings (train.requirements, train.lfs) as NBTRAIN_REQUIREMENTS and NBTRAIN_LFS", async () => {
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    batch.on(SubmitJobCommand).resolves({ jobId: "job-4" });
    await compute().submit(trainJob({ source: { requirements: "notebook", lfs: true } }));
    expect(batch.commandCalls(SubmitJobCommand)[0]!.args[0].input.containerOverrides!.environment!.slice(-3)).toEqual([
      { name: "NBTRAIN_TIMEOUT_SECONDS", value: "7200" },
      { name: "NBTRAIN_REQUIREMENTS", value: "notebook" },
      { name: "NBTRAIN_LFS", value: "true" },
    ]);
  });

  it("overrides the container command only when one is configured", async () => {
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    batch.on(SubmitJobCommand).resolves({ jobId: "job-3" });
    const custom = new AwsBatchCompute({ region: "us-east-1", queues: ["nbtrain-a10g-spot"], command: (job) => [`/mnt/specs/${job.runId}.json`] });
    await custom.submit(trainJob());
    expect(batch.commandCalls(SubmitJobCommand)[0]!.args[0].input.containerOverrides!.command).toEqual(["/mnt/specs/c2468013579.json"]);
  });

  it("puts no secret in the container overrides, even from a store URI with credentials", async () => {
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    batch.on(SubmitJobCommand).resolves({ jobId: "job-2" });
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    await compute().submit(trainJob({ storeUri: `s3://AKIAIOSFODNN7EXAMPLE:${secret}@bucket/prefix` }));
    const overrides = batch.commandCalls(SubmitJobCommand)[0]!.args[0].input.containerOverrides!;
    const text = JSON.stringify(overrides);
    expect(text).not.toContain(secret);
    expect(text).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(overrides.environment!.find((e) => e.name === "NBTRAIN_STORE")!.value).toBe("s3://bucket/prefix");
    for (const { name } of overrides.environment!) expect(name).not.toMatch(/SECRET|TOKEN|PASSWORD|PRIVATE|KEY/);
  });

  it("submits nothing when a job for the run already exists", async () => {
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [{ jobId: "job-old", jobName: "nbtrain-c2468013579-octo-org-vision-models-pr42", status: "RUNNING" }] });
    await expect(compute().submit(trainJob())).resolves.toEqual({ backendJobId: "job-old", existing: true });
    expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(0);
  });

  it("says which call failed and which permission to check", async () => {
    batch.on(ListJobsCommand).resolves({});
    batch.on(SubmitJobCommand).rejects(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" }));
    await expect(compute().submit(trainJob())).rejects.toThrow(
      /AWS Batch SubmitJob for run c2468013579 on queue nbtrain-a10g-spot failed: AccessDeniedException: User is not authorized\. .*batch:SubmitJob and batch:TagResource/,
    );
  });
});

describe("batchJobName", () => {
  it("keeps to 128 characters of [A-Za-z0-9_-], starting with the run's prefix", () => {
    const name = batchJobName({ runId: "c1234567890123456789-r12", repo: { owner: "ünïcode.org", name: `${"very.long-repo".repeat(20)}` }, pullNumber: 123456 });
    expect(name.length).toBeLessThanOrEqual(128);
    expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]*$/);
    expect(name.startsWith("nbtrain-c1234567890123456789-r12-_n_code_org-very_long-repo")).toBe(true);
  });
});

describe("AwsBatchCompute.cancel", () => {
  it("finds the job by its name prefix in every queue and terminates it", async () => {
    batch
      .on(ListJobsCommand, { jobQueue: "nbtrain-a10g-spot" })
      .resolves({ jobSummaryList: [{ jobId: "job-9", jobName: "nbtrain-c77-o-r-pr1", status: "RUNNABLE", createdAt: 5 }] })
      .on(ListJobsCommand, { jobQueue: "nbtrain-a10g-od" })
      .resolves({ jobSummaryList: [] });
    batch.on(TerminateJobCommand).resolves({});

    await expect(compute().cancel("c77", { reason: "/train cancel by @octocat" })).resolves.toBe("cancelled");

    expect(batch.commandCalls(ListJobsCommand).map((call) => call.args[0].input)).toEqual([
      { jobQueue: "nbtrain-a10g-spot", filters: [{ name: "JOB_NAME", values: ["nbtrain-c77-*"] }], nextToken: undefined },
      { jobQueue: "nbtrain-a10g-od", filters: [{ name: "JOB_NAME", values: ["nbtrain-c77-*"] }], nextToken: undefined },
    ]);
    expect(batch.commandCalls(TerminateJobCommand).map((call) => call.args[0].input)).toEqual([
      { jobId: "job-9", reason: "Cancelled via nbtrain: /train cancel by @octocat" },
    ]);
  });

  it("also searches the queue the run's request names, which an allow-list may admit only by a wildcard", async () => {
    batch
      .on(ListJobsCommand, { jobQueue: "q" })
      .resolves({ jobSummaryList: [] })
      .on(ListJobsCommand, { jobQueue: "team-vision" })
      .resolves({ jobSummaryList: [{ jobId: "job-t", jobName: "nbtrain-c9-o-r-pr1", status: "RUNNING", createdAt: 1 }] });
    batch.on(TerminateJobCommand).resolves({});
    const listed = new AwsBatchCompute({ region: "us-east-1", queues: ["q"] });
    await expect(listed.cancel("c9")).resolves.toBe("not-found");
    await expect(listed.cancel("c9", { queue: "team-vision" })).resolves.toBe("cancelled");
    expect(batch.commandCalls(ListJobsCommand).map((call) => call.args[0].input.jobQueue)).toEqual(["q", "q", "team-vision"]);
    expect(batch.commandCalls(TerminateJobCommand)[0]!.args[0].input.jobId).toBe("job-t");
  });

  it("follows ListJobs pages", async () => {
    batch
      .on(ListJobsCommand, { jobQueue: "q", nextToken: undefined })
      .resolves({ jobSummaryList: [], nextToken: "page-2" })
      .on(ListJobsCommand, { jobQueue: "q", nextToken: "page-2" })
      .resolves({ jobSummaryList: [{ jobId: "job-p2", jobName: "n", status: "RUNNING" }] });
    batch.on(TerminateJobCommand).resolves({});
    const paged = new AwsBatchCompute({ region: "us-east-1", queues: ["q"] });
    await expect(paged.cancel("c5")).resolves.toBe("cancelled");
    expect(batch.commandCalls(TerminateJobCommand)[0]!.args[0].input).toEqual({ jobId: "job-p2", reason: "Cancelled via nbtrain" });
  });

  it("terminates nothing for a finished or unknown run", async () => {
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [{ jobId: "job-done", jobName: "n", status: "SUCCEEDED" }] });
    await expect(compute().cancel("c1")).resolves.toBe("already-finished");
    batch.reset();
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    await expect(compute().cancel("c1")).resolves.toBe("not-found");
    expect(batch.commandCalls(TerminateJobCommand)).toHaveLength(0);
  });
});

describe("AwsBatchCompute.status", () => {
  it("describes the newest job of the run", async () => {
    const detail = JSON.parse(readFileSync(join(fixtures, "running.json"), "utf8")).detail;
    batch.on(ListJobsCommand).resolves({
      jobSummaryList: [
        { jobId: "old", jobName: "n", status: "FAILED", createdAt: 1 },
        { jobId: detail.jobId, jobName: "n", status: "RUNNING", createdAt: 2 },
      ],
    });
    batch.on(DescribeJobsCommand, { jobs: [detail.jobId] }).resolves({ jobs: [detail] });
    const single = new AwsBatchCompute({ region: "eu-west-1", queues: ["q"] });
    await expect(single.status("c2468013579")).resolves.toMatchObject({
      runId: "c2468013579",
      status: "running",
      attempt: 1,
      backendJobId: detail.jobId,
      logs: { kind: "cloudwatch", region: "eu-west-1", group: "/aws/batch/job", stream: "nbtrain-runner/default/aaaa1111" },
    });
  });

  it("answers null for an unknown run", async () => {
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    await expect(compute().status("c404")).resolves.toBeNull();
  });
});

describe("AwsBatchCompute.handleEvent", () => {
  it("delivers mapped EventBridge events to subscribers in order and skips foreign jobs", async () => {
    const seen: JobStateEvent[] = [];
    const c = compute();
    c.subscribe(async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(event);
    });
    const load = (name: string): unknown => JSON.parse(readFileSync(join(fixtures, name), "utf8"));
    await Promise.all(["runnable.json", "not-nbtrain.json", "running.json", "succeeded.json"].map((name) => c.handleEvent(load(name))));
    expect(seen.map((event) => event.status)).toEqual(["queued", "running", "succeeded"]);
  });
});

it("refuses an attempt count Batch does not accept", () => {
  expect(() => new AwsBatchCompute({ region: "us-east-1", queues: [], attempts: 11 })).toThrow(/1 to 10/);
});
