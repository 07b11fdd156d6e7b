import { gunzipSync } from "node:zlib";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app/create-app.js";
import { loadTemplates } from "../../src/app/load-templates.js";
import { parseRepoConfig } from "../../src/config/load-repo-config.js";
import type { Compute } from "../../src/compute/compute.js";
import { signRunPageToken } from "../../src/run-page/run-page-token.js";
import { createWebhookHandler } from "../../functions/lib/create-webhook-handler.js";
import { loadWebhookRuntime } from "../../functions/lib/load-webhook-runtime.js";
import { createSecretLoader } from "../../functions/lib/secret-loader.js";
import { fakeChecker, privateKey, QUIET_OCTOKIT } from "../support/test-app.js";
import { openPolicy } from "../support/open-policy.js";
import { KEY, makeRunStore, OWNER, REPO, RUN } from "../run-page/run-page-fixture.js";
import { functionUrlEvent, SECRET } from "./webhook-events.js";

// The run page through the webhook function's URL: the same app and handlers as `npm start`,
// reached through the Lambda request/response bridge.

let fixture: Awaited<ReturnType<typeof makeRunStore>>;
beforeAll(async () => {
  fixture = await makeRunStore();
});
afterAll(() => fixture.cleanup());

// The backend is not under test here: a compute that knows no run, as after a Batch job aged out.
const compute: Compute = { submit: async () => ({ backendJobId: "x", existing: false }), cancel: async () => "not-found", status: async () => null, subscribe: () => () => {} };

function handler() {
  const env = { APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET };
  return createWebhookHandler({
    loadRuntime: () =>
      loadWebhookRuntime({
        env,
        secrets: createSecretLoader(env, () => {
          throw new Error("no AWS in tests");
        }),
        app: async () =>
          createApp({
            checkNotebook: fakeChecker({}),
            parseRepoConfig,
            templates: await loadTemplates(),
            train: { compute, store: fixture.store, storeUri: fixture.store.uri, policy: openPolicy(fixture.store.uri), backend: "local" },
            page: { settings: { key: KEY, publicUrl: "https://abc.lambda-url.us-east-1.on.aws", ttlSeconds: 3600 }, assets: async () => fixture.assets },
          }),
        invoker: () => async () => {},
        probotOptions: { Octokit: QUIET_OCTOKIT, log: pino({ level: "silent" }) },
      }),
    logError: () => {},
  });
}

function pageEvent(path: string, query: string, headers: Record<string, string> = {}): Record<string, unknown> {
  const event = functionUrlEvent({ method: "GET", headers });
  (event.requestContext as { http: { path: string } }).http.path = path;
  return { ...event, rawPath: path, rawQueryString: query };
}

describe("the run page on the webhook function's URL", () => {
  it("serves the page, gzip'd assets and artifacts, and the same 404 without a valid token", async () => {
    const serve = handler();
    const token = signRunPageToken(KEY, { owner: OWNER, repo: REPO, runId: RUN }, new Date(Date.now() + 60_000));
    const base = `/nbtrain/runs/${OWNER}/${REPO}/${RUN}`;
    const page = await serve(pageEvent(base, `t=${token}`));
    expect(page?.statusCode).toBe(200);
    expect(page?.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page?.body).toContain("Succeeded (attempt 2)");
    expect(page?.body).toContain(`${base}/output.ipynb?t=${token}`);

    const script = await serve(pageEvent("/nbtrain/assets/run-page.js", "", { "accept-encoding": "gzip" }));
    expect(script).toMatchObject({ statusCode: 200, isBase64Encoded: true });
    expect(script?.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(Buffer.from(script!.body, "base64")).toString("utf8")).toContain("data.json");

    const notebook = await serve(pageEvent(`${base}/output.ipynb`, `t=${token}`));
    expect(notebook?.statusCode).toBe(200);
    expect(JSON.parse(notebook!.body).nbformat).toBe(4);

    const forged = await serve(pageEvent(base, `t=${token.slice(0, -2)}AA`));
    const missing = await serve(pageEvent(base, ""));
    expect([forged?.statusCode, missing?.statusCode]).toEqual([404, 404]);
    expect(forged?.body).toBe(missing?.body);
    expect((await serve(pageEvent(`${base}/..%2f..%2fsecrets.json`, `t=${token}`)))?.statusCode).toBe(404);

    // Other GETs still answer the health check; webhooks are untouched.
    const health = await serve(pageEvent("/", ""));
    expect(JSON.parse(health!.body)).toEqual({ status: "ok", app: "nbtrain" });
  });
});
