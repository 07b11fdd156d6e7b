import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFunctions } from "../../scripts/lib/build-functions.js";
import { privateKey } from "../support/test-app.js";
import { repoRoot } from "../support/repo-root.js";
import { githubHeaders, SECRET } from "./webhook-events.js";

const run = promisify(execFile);

describe("the built webhook bundle", () => {
  let outRoot: string;
  beforeAll(async () => {
    outRoot = await mkdtemp(path.join(tmpdir(), "nbtrain-bundle-"));
    await buildFunctions(repoRoot, outRoot);
  });
  afterAll(async () => {
    await rm(outRoot, { recursive: true, force: true });
  });

  it("runs on its own: health, an ignored event handled by the lazily loaded app, and a rejected signature", async () => {
    const bundle = path.join(outRoot, "functions/webhook/webhook.mjs");
    const body = JSON.stringify({ action: "created", sponsorship: {}, sender: { login: "octocat", type: "User" } });
    const event = (method: string, headers: Record<string, string> = {}) => ({ version: "2.0", rawPath: "/", headers, body, isBase64Encoded: false, requestContext: { http: { method } } });
    const events = [event("GET"), event("POST", githubHeaders("sponsorship", body, "d-bundle")), event("POST", { ...githubHeaders("sponsorship", body), "X-Hub-Signature-256": `sha256=${"0".repeat(64)}` })];
    // A separate process with no network mocks: nothing here may reach GitHub or AWS.
    const script = `const { handler } = await import(${JSON.stringify(bundle)}); for (const e of ${JSON.stringify(events)}) { const r = await handler(e); console.log(JSON.stringify([r.statusCode, JSON.parse(r.body)])); }`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
      cwd: outRoot,
      env: { PATH: process.env.PATH, APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, NBTRAIN_WEBHOOK_MODE: "inline", NBTRAIN_COMPUTE: "off", LOG_LEVEL: "fatal" },
    });
    expect(stdout.trim().split("\n").map((line) => JSON.parse(line))).toEqual([
      [200, { status: "ok", app: "nbtrain" }],
      [200, { ok: true, id: "d-bundle" }],
      [401, { error: "Signature does not match; check the webhook secret." }],
    ]);
  });

  it("serves the run page's scripts from the files copied beside it, and a 404 for a run without a token", async () => {
    const bundle = path.join(outRoot, "functions/webhook/webhook.mjs");
    const event = (rawPath: string) => ({ version: "2.0", rawPath, rawQueryString: "", headers: {}, isBase64Encoded: false, requestContext: { http: { method: "GET", path: rawPath } } });
    const events = [event("/nbtrain/assets/run-page.js"), event("/nbtrain/runs/octo/models/c1"), event("/nbtrain/assets/nothing.js")];
    const script = `const { handler } = await import(${JSON.stringify(bundle)}); for (const e of ${JSON.stringify(events)}) { const r = await handler(e); console.log(JSON.stringify([r.statusCode, r.body.slice(0, 200)])); }`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
      cwd: outRoot,
      env: { PATH: process.env.PATH, APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, NBTRAIN_WEBHOOK_MODE: "inline", NBTRAIN_COMPUTE: "local", NBTRAIN_DATA_DIR: path.join(outRoot, "data"), LOG_LEVEL: "fatal" },
    });
    const answers = stdout.trim().split("\n").map((line) => JSON.parse(line) as [number, string]);
    expect(answers.map(([status]) => status)).toEqual([200, 404, 404]);
    expect(answers[0]![1]).toContain("The run page's live part");
    expect(answers[1]![1]).toMatch(/^Not found\. A run page link carries a token/u);
  });
});
