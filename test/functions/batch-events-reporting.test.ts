import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBatchEventsHandler } from "../../functions/lib/create-batch-events-handler.js";
import { loadJobReporter } from "../../functions/lib/load-job-reporter.js";
import { createSecretLoader } from "../../functions/lib/secret-loader.js";
import { FIXED_NOW, mockInstallationToken, privateKey, QUIET_OCTOKIT, TOKEN, useTestHarness } from "../support/test-app.js";

const harness = useTestHarness();
const fixtures = path.join(import.meta.dirname, "../fixtures/batch-events");
const load = (name: string): Record<string, any> => JSON.parse(readFileSync(path.join(fixtures, name), "utf8"));

describe("batch-events function with the real reporter", () => {
  let storeDir: string;
  let logs: string[];
  beforeEach(async () => {
    storeDir = await mkdtemp(path.join(tmpdir(), "nbtrain-store-"));
    logs = [];
  });
  afterEach(async () => {
    await rm(storeDir, { recursive: true, force: true });
  });

  function handler(env: Record<string, string> = {}) {
    const fullEnv = { APP_ID: "1", PRIVATE_KEY: privateKey, NBTRAIN_STORE: `file://${storeDir}`, ...env };
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString("utf8"));
        done();
      },
    });
    return createBatchEventsHandler({
      loadReporter: () =>
        loadJobReporter({
          env: fullEnv,
          secrets: createSecretLoader(fullEnv, () => {
            throw new Error("no AWS in tests");
          }),
          probotOptions: { Octokit: QUIET_OCTOKIT, log: pino({ level: "trace" }, stream) },
          clock: () => FIXED_NOW,
        }),
      log: { info: (m) => logs.push(m), error: (m) => logs.push(m) },
    });
  }

  it("moves the train check run to in_progress when the Batch job starts, as the App of the event's installation", async () => {
    const updates: unknown[] = [];
    const github = harness.github();
    mockInstallationToken(github, 13579);
    github.patch("/repos/octo-org/vision-models/check-runs/987654321", (body) => updates.push(body) > 0).reply(200, { id: 987654321 });
    expect(await handler()(load("starting.json"))).toEqual({ outcome: "reported", runId: "c2468013579", status: "starting" });
    expect(updates).toEqual([
      expect.objectContaining({ status: "in_progress", started_at: "2026-11-27T18:01:00.000Z", output: expect.objectContaining({ title: "Starting attempt 1" }) }),
    ]);
    expect(logs.join("")).not.toContain(TOKEN);
  });

  it("fails the invocation, so Lambda retries, when the store is not configured", async () => {
    await expect(handler({ NBTRAIN_STORE: "" })(load("starting.json"))).rejects.toThrow("NBTRAIN_STORE is not set: name the s3:// or gdrive:// store the Batch jobs write to.");
  });
});
