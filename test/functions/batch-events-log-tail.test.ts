import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBatchEventsHandler } from "../../functions/lib/create-batch-events-handler.js";
import { loadJobReporter } from "../../functions/lib/load-job-reporter.js";
import { createSecretLoader } from "../../functions/lib/secret-loader.js";
import { FIXED_NOW, mockInstallationToken, privateKey, QUIET_OCTOKIT, useTestHarness } from "../support/test-app.js";

// The batch-events Lambda's own wiring: its reporter reads a failed job's log tail from
// CloudWatch Logs (the real client, `send` mocked) by default.

const harness = useTestHarness();
const logsClient = mockClient(CloudWatchLogsClient);
const failed = JSON.parse(readFileSync(path.join(import.meta.dirname, "../fixtures/batch-events/failed.json"), "utf8"));

describe("batch-events function: failure log tail", () => {
  let storeDir: string;
  beforeEach(async () => {
    logsClient.reset();
    storeDir = await mkdtemp(path.join(tmpdir(), "nbtrain-store-"));
  });
  afterEach(async () => {
    await rm(storeDir, { recursive: true, force: true });
  });

  it("quotes the end of the job's log stream in the failed check run", async () => {
    logsClient.on(GetLogEventsCommand).resolves({ events: [{ message: "step 90 loss nan" }, { message: "ValueError: loss is nan" }] });
    const env = { APP_ID: "1", PRIVATE_KEY: privateKey, NBTRAIN_STORE: `file://${storeDir}` };
    const handler = createBatchEventsHandler({
      loadReporter: () =>
        loadJobReporter({
          env,
          secrets: createSecretLoader(env, () => {
            throw new Error("no AWS in tests");
          }),
          probotOptions: { Octokit: QUIET_OCTOKIT, log: pino({ level: "silent" }) },
          clock: () => FIXED_NOW,
        }),
      log: { info: () => {}, error: () => {} },
    });
    const patches: any[] = [];
    const github = harness.github();
    mockInstallationToken(github, 13579);
    github
      .patch("/repos/octo-org/vision-models/check-runs/987654321", (body) => patches.push(body) > 0)
      .reply(200, { id: 987654321 })
      .get("/repos/octo-org/vision-models/issues/42/comments?per_page=100")
      .optionally()
      .reply(200, [])
      .post("/repos/octo-org/vision-models/issues/42/comments")
      .optionally()
      .reply(201, { id: 5 });
    expect(await handler(failed)).toMatchObject({ outcome: "reported", status: "failed" });
    expect(patches).toHaveLength(1);
    expect(patches[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(patches[0].output.summary).toContain("step 90 loss nan\nValueError: loss is nan");
    expect(logsClient.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input)).toEqual([
      { logGroupName: "/aws/batch/job", logStreamName: "nbtrain-runner/default/bbbb2222", startFromHead: false, limit: 50 },
    ]);
  });
});
