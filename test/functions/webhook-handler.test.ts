import { Writable } from "node:stream";
import { pino } from "pino";
import type { ApplicationFunction } from "probot";
import { describe, expect, it, beforeEach } from "vitest";
import { parseRepoConfig } from "../../src/config/load-repo-config.js";
import { createApp } from "../../src/app/create-app.js";
import { loadTemplates } from "../../src/app/load-templates.js";
import { ASYNC_SOURCE, type AsyncDelivery } from "../../functions/lib/async-delivery.js";
import { createWebhookHandler, type WebhookHandler } from "../../functions/lib/create-webhook-handler.js";
import type { HttpResponse } from "../../functions/lib/http-response.js";
import { loadWebhookRuntime } from "../../functions/lib/load-webhook-runtime.js";
import { createSecretLoader } from "../../functions/lib/secret-loader.js";
import type { SecretSource } from "../../functions/lib/secret-source.js";
import { contentsPath, fakeChecker, FIXED_NOW, HEAD, BASE, loadPayload, mockInstallationToken, mockNoConfig, notebook, privateKey, QUIET_OCTOKIT, RAW_HEADERS, TOKEN, useTestHarness } from "../support/test-app.js";
import { functionUrlEvent, githubHeaders, httpApiEvent, SECRET, sign } from "./webhook-events.js";

const harness = useTestHarness();
const repoPath = "/repos/Codertocat/Hello-World";

interface Setup {
  handler: WebhookHandler;
  logs: string[];
  invocations: unknown[];
}

/** The real composition (settings, secrets, Probot, the app) with the test's Octokit and logger. */
function setup(options: { env?: Record<string, string>; invoke?: (payload: unknown) => Promise<void>; app?: (env: NodeJS.ProcessEnv) => Promise<ApplicationFunction>; secrets?: SecretSource } = {}): Setup {
  const logs: string[] = [];
  const invocations: unknown[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString("utf8"));
      done();
    },
  });
  const env = { APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, ...options.env };
  const handler = createWebhookHandler({
    loadRuntime: () =>
      loadWebhookRuntime({
        env,
        secrets: createSecretLoader(env, () => {
          if (options.secrets) return options.secrets;
          throw new Error("no AWS in tests");
        }),
        app: options.app ?? (async () => createApp({ checkNotebook: fakeChecker({}), parseRepoConfig, templates: await loadTemplates(), clock: () => FIXED_NOW })),
        invoker: () => async (payload) => {
          invocations.push(payload);
          await options.invoke?.(payload);
        },
        probotOptions: { Octokit: QUIET_OCTOKIT, log: pino({ level: "trace" }, stream) },
      }),
    logError: (message) => logs.push(message),
  });
  return { handler, logs, invocations };
}

function json(response: HttpResponse | undefined): Record<string, unknown> {
  if (!response) throw new Error("expected an HTTP response");
  return JSON.parse(response.body) as Record<string, unknown>;
}

/** The pull request flow for one added notebook, with every request recorded. */
function mockPullRequestCheck(): { created: unknown[]; comments: unknown[] } {
  const created: unknown[] = [];
  const comments: unknown[] = [];
  const github = harness.github();
  mockInstallationToken(github);
  github.get(`${repoPath}/pulls/2/files?per_page=100`).reply(200, [{ sha: "a1", filename: "nb/train.ipynb", status: "added", additions: 3, deletions: 0, changes: 3 }]);
  mockNoConfig(github);
  github
    .post(`${repoPath}/check-runs`, (body) => created.push(body) > 0)
    .reply(201, { id: 77 })
    .get(contentsPath("nb/train.ipynb", HEAD))
    .reply(200, notebook(["x = 1"]), RAW_HEADERS)
    .patch(`${repoPath}/check-runs/77`)
    .reply(200, { id: 77 })
    .get(`${repoPath}/issues/2/comments?per_page=100`)
    .reply(200, [])
    .post(`${repoPath}/issues/2/comments`, (body) => comments.push(body) > 0)
    .reply(201, { id: 6 });
  return { created, comments };
}

const prBody = (): string => JSON.stringify(loadPayload("pull_request.opened"));

function expectNoSecretIn(text: string): void {
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain("PRIVATE KEY");
}

describe("webhook function, inline mode", () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  it("verifies an API Gateway HTTP API delivery, runs the check and answers 200", async () => {
    const { created, comments } = mockPullRequestCheck();
    const body = prBody();
    const headers = Object.fromEntries(Object.entries(githubHeaders("pull_request", body, "d-1")).map(([k, v]) => [k.toLowerCase(), v]));
    const response = await s.handler(httpApiEvent({ headers, body }));
    expect(response?.statusCode).toBe(200);
    expect(json(response)).toEqual({ ok: true, id: "d-1" });
    expect(created).toEqual([{ name: "nbtrain / notebooks", head_sha: HEAD, status: "in_progress", started_at: FIXED_NOW.toISOString() }]);
    expect(comments).toHaveLength(1);
    expectNoSecretIn(s.logs.join(""));
  });

  it("takes a Function URL delivery with a base64 body and header names in GitHub's mixed case", async () => {
    const { created } = mockPullRequestCheck();
    const body = prBody();
    const response = await s.handler(functionUrlEvent({ headers: githubHeaders("pull_request", body, "d-2"), body: Buffer.from(body, "utf8").toString("base64"), isBase64Encoded: true }));
    expect(response?.statusCode).toBe(200);
    expect(created).toHaveLength(1);
  });

  it("rejects a wrong signature with 401 before the app runs", async () => {
    const body = prBody();
    const headers = { ...githubHeaders("pull_request", body), "X-Hub-Signature-256": sign(body, "not-the-secret") };
    const response = await s.handler(functionUrlEvent({ headers, body }));
    expect(response?.statusCode).toBe(401);
    expect(json(response).error).toMatch(/Signature does not match/u);
    // A signature over other bytes fails the same way: the body was altered in transit.
    const tampered = await s.handler(functionUrlEvent({ headers: githubHeaders("pull_request", body), body: body.replace("Codertocat", "Attacker") }));
    expect(tampered?.statusCode).toBe(401);
    expect(harness.contract.checked).toEqual([]);
  });

  it("answers 401 without the signature header, and 400 without the event or delivery header", async () => {
    const body = prBody();
    const { "X-Hub-Signature-256": _signature, ...unsigned } = githubHeaders("pull_request", body);
    expect((await s.handler(httpApiEvent({ headers: unsigned, body })))?.statusCode).toBe(401);
    const { "X-GitHub-Event": _event, ...nameless } = githubHeaders("pull_request", body);
    expect((await s.handler(httpApiEvent({ headers: nameless, body })))?.statusCode).toBe(400);
    expect(harness.contract.checked).toEqual([]);
  });

  it("answers 400 on a malformed request: a signed body that is not JSON, a broken base64 body, an event with no method", async () => {
    const text = "payload=%7B%7D";
    expect((await s.handler(httpApiEvent({ headers: githubHeaders("push", text), body: text })))?.statusCode).toBe(400);
    const broken = await s.handler(functionUrlEvent({ headers: githubHeaders("push", "{}"), body: "not base64!", isBase64Encoded: true }));
    expect(broken?.statusCode).toBe(400);
    expect(json(broken).error).toMatch(/base64/u);
    const noMethod = await s.handler({ version: "2.0", rawPath: "/", headers: {}, requestContext: { http: {} } });
    expect(noMethod?.statusCode).toBe(400);
  });

  it("accepts a 25 MB push delivery and handles it", async () => {
    const payload = loadPayload("push");
    const filler = "x".repeat(1024);
    const base = payload.commits[0];
    payload.commits = Array.from({ length: 25 * 1024 }, (_, i) => ({ ...base, id: `${i}`, message: filler, added: [], modified: ["README.md"] }));
    const body = JSON.stringify(payload);
    expect(Buffer.byteLength(body)).toBeGreaterThan(25 * 1024 * 1024);
    const github = harness.github();
    mockInstallationToken(github);
    github.get(`${repoPath}/compare/${BASE}...${HEAD}?per_page=1`).reply(200, { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1, commits: [], files: [{ sha: "s", filename: "README.md", status: "modified", additions: 1, deletions: 0, changes: 1 }] });
    const response = await s.handler(httpApiEvent({ headers: githubHeaders("push", body, "d-big"), body }));
    expect(response?.statusCode).toBe(200);
    expect(json(response)).toEqual({ ok: true, id: "d-big" });
  });

  it("acknowledges an event the app does not handle and calls nothing", async () => {
    const body = JSON.stringify({ action: "created", sponsorship: { tier: { name: "$5" } }, sender: { login: "octocat", type: "User" } });
    const response = await s.handler(httpApiEvent({ headers: githubHeaders("sponsorship", body, "d-3"), body }));
    expect(response?.statusCode).toBe(200);
    expect(json(response)).toEqual({ ok: true, id: "d-3" });
    expect(harness.contract.checked).toEqual([]);
  });

  it("answers a GET with a health response", async () => {
    const response = await s.handler(functionUrlEvent({ method: "GET", headers: {} }));
    expect(response?.statusCode).toBe(200);
    expect(json(response)).toEqual({ status: "ok", app: "nbtrain" });
    expect((await s.handler(functionUrlEvent({ method: "PUT", headers: {} })))?.statusCode).toBe(405);
  });

  it("answers 500 with the delivery id and no secret when the app fails", async () => {
    const github = harness.github();
    // The file list fails, and so does the check run that would report it: the delivery fails.
    mockInstallationToken(github);
    github.get(`${repoPath}/pulls/2/files?per_page=100`).reply(500, { message: `boom ${TOKEN}` });
    github.post(`${repoPath}/check-runs`).reply(500, { message: "Server Error" });
    const body = prBody();
    const response = await s.handler(httpApiEvent({ headers: githubHeaders("pull_request", body, "d-500"), body }));
    expect(response?.statusCode).toBe(500);
    expect(json(response)).toEqual({ error: "Internal error while handling the delivery; see the function's logs.", id: "d-500" });
    expectNoSecretIn(response?.body ?? "");
  });
});

describe("webhook function, configuration", () => {
  it("answers 500 naming the variables to set, never their values, when a secret is missing", async () => {
    const s = setup({ env: { WEBHOOK_SECRET: "" } });
    const response = await s.handler(functionUrlEvent({ method: "GET", headers: {} }));
    expect(response?.statusCode).toBe(500);
    expect(json(response)).toEqual({ error: "The app could not start; see the function's logs." });
    expect(s.logs.join("\n")).toMatch(/Missing WEBHOOK_SECRET: set each as NAME, NAME_SECRET_ID/u);
    expectNoSecretIn(s.logs.join("\n"));
  });

  it("refuses async mode outside Lambda", async () => {
    const s = setup({ env: { NBTRAIN_WEBHOOK_MODE: "async" } });
    expect((await s.handler(functionUrlEvent({ method: "GET", headers: {} })))?.statusCode).toBe(500);
    expect(s.logs.join("\n")).toMatch(/needs AWS_LAMBDA_FUNCTION_NAME/u);
  });
});

describe("webhook function, async mode", () => {
  const lambda = { AWS_LAMBDA_FUNCTION_NAME: "nbtrain-webhook" };

  it("acknowledges once the delivery is queued, then handles it in the asynchronous invocation", async () => {
    const s = setup({ env: lambda });
    const body = prBody();
    const response = await s.handler(httpApiEvent({ headers: githubHeaders("pull_request", body, "d-async"), body }));
    expect(response?.statusCode).toBe(200);
    expect(json(response)).toEqual({ ok: true, id: "d-async", deferred: true });
    expect(harness.contract.checked).toEqual([]);
    expect(s.invocations).toHaveLength(1);
    const delivery = s.invocations[0] as AsyncDelivery;
    expect(delivery).toMatchObject({ source: ASYNC_SOURCE, id: "d-async", name: "pull_request", body, signature: sign(body) });

    const { created } = mockPullRequestCheck();
    expect(await s.handler(delivery)).toBeUndefined();
    expect(created).toHaveLength(1);
  });

  it("drops an asynchronous event whose marker this function did not mint", async () => {
    const s = setup({ env: lambda });
    const body = prBody();
    const forged: AsyncDelivery = { source: ASYNC_SOURCE, marker: "0".repeat(64), id: "d-forged", name: "pull_request", signature: sign(body), body };
    expect(await s.handler(forged)).toBeUndefined();
    expect(harness.contract.checked).toEqual([]);
    expect(s.logs.join("")).toContain("dropped an asynchronous delivery without a valid marker");
  });

  it("verifies GitHub's signature again in the asynchronous invocation", async () => {
    const s = setup({ env: lambda });
    const body = prBody();
    await s.handler(httpApiEvent({ headers: githubHeaders("pull_request", body, "d-alter"), body }));
    const delivery = { ...(s.invocations[0] as AsyncDelivery), body: body.replace("Codertocat", "Attacker") };
    await expect(s.handler(delivery)).rejects.toThrow(/Delivery d-alter \(pull_request\) failed: .*signature does not match/u);
    expect(harness.contract.checked).toEqual([]);
  });

  it("handles inline what Lambda cannot queue: a body over the asynchronous limit, or a failed invocation", async () => {
    const small = setup({ env: { ...lambda, NBTRAIN_ASYNC_MAX_BYTES: "1024" } });
    const { created } = mockPullRequestCheck();
    const body = prBody();
    expect((await small.handler(httpApiEvent({ headers: githubHeaders("pull_request", body), body })))?.statusCode).toBe(200);
    expect(small.invocations).toEqual([]);
    expect(created).toHaveLength(1);

    const failing = setup({
      env: lambda,
      invoke: async () => {
        throw new Error("AccessDeniedException");
      },
    });
    const again = mockPullRequestCheck();
    const response = await failing.handler(httpApiEvent({ headers: githubHeaders("pull_request", body, "d-fallback"), body }));
    expect(json(response)).toEqual({ ok: true, id: "d-fallback" });
    expect(again.created).toHaveLength(1);
    expect(failing.logs.join("")).toContain("asynchronous invocation failed; handling the delivery inline");
  });

  it("answers ping inline, without an invocation", async () => {
    const s = setup({ env: lambda });
    const body = JSON.stringify({ zen: "Design for failure.", hook_id: 1, hook: { type: "App" } });
    expect((await s.handler(functionUrlEvent({ headers: githubHeaders("ping", body), body })))?.statusCode).toBe(200);
    expect(s.invocations).toEqual([]);
  });
});

describe("webhook function, loading the app", () => {
  it("acknowledges without loading the app, and loads it once for the deliveries it handles", async () => {
    let loads = 0;
    const s = setup({
      env: { AWS_LAMBDA_FUNCTION_NAME: "nbtrain-webhook" },
      app: async () => {
        loads += 1;
        return createApp({ checkNotebook: fakeChecker({}), parseRepoConfig, templates: await loadTemplates(), clock: () => FIXED_NOW });
      },
    });
    const body = prBody();
    await s.handler(httpApiEvent({ headers: githubHeaders("pull_request", body, "d-lazy"), body }));
    expect(loads).toBe(0);
    mockPullRequestCheck();
    await s.handler(s.invocations[0]);
    const ping = JSON.stringify({ zen: "Half measures are as bad as nothing at all.", hook_id: 1 });
    await s.handler(functionUrlEvent({ headers: githubHeaders("ping", ping), body: ping }));
    expect(loads).toBe(1);
  });

  it("answers 500 when the app cannot load, and tries again on the next delivery", async () => {
    let attempts = 0;
    const s = setup({
      app: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error("Invalid training settings: NBTRAIN_STORE must be an s3:// or gdrive:// store");
        return () => undefined;
      },
    });
    const body = JSON.stringify({ zen: "Approachable is better than simple.", hook_id: 1 });
    const first = await s.handler(functionUrlEvent({ headers: githubHeaders("ping", body, "d-fail"), body }));
    expect(first?.statusCode).toBe(500);
    expect(json(first)).toEqual({ error: "Internal error while handling the delivery; see the function's logs.", id: "d-fail" });
    expect(s.logs.join("")).toContain("webhook: the app could not load: Invalid training settings: NBTRAIN_STORE must be an s3:// or gdrive:// store");
    expect((await s.handler(functionUrlEvent({ headers: githubHeaders("ping", body, "d-ok"), body })))?.statusCode).toBe(200);
    expect(attempts).toBe(2);
  });

  it("hands the app its Drive credentials from Secrets Manager, not from the function's environment", async () => {
    const seen: Array<string | undefined> = [];
    const calls: string[] = [];
    const s = setup({
      env: { NBTRAIN_GDRIVE_CREDENTIALS_SECRET_ID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:nbtrain/drive-AbCdEf" },
      secrets: {
        getSecretValue: async (id) => {
          calls.push(id);
          return '{"type":"service_account","client_email":"bot@example.iam.gserviceaccount.com"}';
        },
        getParameter: async () => {
          throw new Error("no SSM here");
        },
      },
      app: async (env) => {
        seen.push(env.NBTRAIN_GDRIVE_CREDENTIALS);
        return () => undefined;
      },
    });
    const body = JSON.stringify({ zen: "Mind your words, they are important.", hook_id: 1 });
    expect((await s.handler(functionUrlEvent({ headers: githubHeaders("ping", body), body })))?.statusCode).toBe(200);
    expect(seen).toEqual(['{"type":"service_account","client_email":"bot@example.iam.gserviceaccount.com"}']);
    expect(calls).toEqual(["arn:aws:secretsmanager:us-east-1:123456789012:secret:nbtrain/drive-AbCdEf"]);
    expect(process.env.NBTRAIN_GDRIVE_CREDENTIALS).toBeUndefined();
  });
});
