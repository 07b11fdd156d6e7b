/**
 * `npm run bench:deadline`: can the webhook function answer GitHub within its 10-second limit?
 *
 * The worst case the app meets: a pull request that changes 200 notebooks (real ones from the
 * shared corpus), handled by the webhook function exactly as deployed (Probot's production
 * Octokit, so retry and throttling on: writes are spaced 1 s apart), with every GitHub answer
 * delayed by 0 ms (the baseline), 250 ms and 1 s through nock.
 *
 * For each delay it prints the time until the HTTP answer in inline mode (the work done before
 * answering) and in async mode (acknowledge once the delivery is queued for a self-invocation,
 * with a 50 ms stand-in for Lambda's Invoke call), and each as a ratio of GitHub's 10 s limit.
 */
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import nock from "nock";
import { createApp } from "../src/app/create-app.js";
import { loadDefaultAppDeps } from "../src/app/default-app-deps.js";
import { createWebhookHandler } from "../functions/lib/create-webhook-handler.js";
import { loadWebhookRuntime } from "../functions/lib/load-webhook-runtime.js";
import { createSecretLoader } from "../functions/lib/secret-loader.js";
import { generateKeyPairSync } from "node:crypto";

const root = path.resolve(import.meta.dirname, "../..");
const corpus = path.resolve(root, "../shared/corpus");
const API = "https://api.github.com";
const REPO = "/repos/Codertocat/Hello-World";
const SECRET = "bench-secret";
const LIMIT_MS = 10_000;
const NOTEBOOKS = 200;
const INVOKE_MS = 50;

function findNotebooks(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) findNotebooks(full, out);
    else if (name.endsWith(".ipynb")) out.push(full);
  }
  return out;
}

const files = findNotebooks(corpus).slice(0, NOTEBOOKS);
if (files.length < NOTEBOOKS) throw new Error(`Found ${files.length} notebooks under ${corpus}; the benchmark needs ${NOTEBOOKS}. Is ../shared/corpus present?`);
const notebooks = files.map((file, i) => ({ name: `nb/${String(i).padStart(3, "0")}-${path.basename(file).replace(/[^\w.-]/gu, "_")}`, bytes: readFileSync(file) }));
const payload = JSON.parse(readFileSync(path.join(root, "test/fixtures/webhooks/pull_request.opened.json"), "utf8")) as Record<string, any>;
const head = payload.pull_request.head.sha as string;
const body = JSON.stringify(payload);
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();

function mockGitHub(delay: number): void {
  nock.cleanAll();
  const scope = nock(API).persist();
  const page = (n: number) => notebooks.slice((n - 1) * 100, n * 100).map((nb, i) => ({ sha: `s${n}-${i}`, filename: nb.name, status: "added", additions: 1, deletions: 0, changes: 1 }));
  scope.post(/\/app\/installations\/\d+\/access_tokens/u).delay(delay).reply(201, { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" });
  scope.get(`${REPO}/pulls/2/files`).query({ per_page: "100" }).delay(delay).reply(200, page(1), { link: `<${API}${REPO}/pulls/2/files?per_page=100&page=2>; rel="next", <${API}${REPO}/pulls/2/files?per_page=100&page=2>; rel="last"` });
  scope.get(`${REPO}/pulls/2/files`).query({ per_page: "100", page: "2" }).delay(delay).reply(200, page(2));
  scope.get(/\/contents\/\.github%2Fnbtrain\.yml/u).delay(delay).reply(404, { message: "Not Found" });
  scope.post(`${REPO}/check-runs`).delay(delay).reply(201, { id: 1 });
  scope.patch(`${REPO}/check-runs/1`).delay(delay).reply(200, { id: 1 });
  for (const nb of notebooks) {
    scope.get(`${REPO}/contents/${encodeURIComponent(nb.name)}`).query({ ref: head }).delay(delay).reply(200, nb.bytes, { "content-type": "application/vnd.github.raw; charset=utf-8" });
  }
  scope.get(`${REPO}/issues/2/comments`).query(true).delay(delay).reply(200, []);
  scope.post(`${REPO}/issues/2/comments`).delay(delay).reply(201, { id: 9 });
}

async function timeDelivery(mode: "inline" | "async"): Promise<number> {
  const env: NodeJS.ProcessEnv = { APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, LOG_LEVEL: "fatal", ...(mode === "async" ? { AWS_LAMBDA_FUNCTION_NAME: "nbtrain-webhook" } : { NBTRAIN_WEBHOOK_MODE: "inline" }) };
  const handler = createWebhookHandler({
    loadRuntime: () =>
      loadWebhookRuntime({
        env,
        secrets: createSecretLoader(env, () => {
          throw new Error("no AWS in the benchmark");
        }),
        app: async () => createApp(await loadDefaultAppDeps({}, { train: false })),
        invoker: () => () => new Promise((resolve) => setTimeout(resolve, INVOKE_MS)),
      }),
  });
  await handler({ requestContext: { http: { method: "GET" } }, headers: {} }); // a warm container
  const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  const event = { version: "2.0", rawPath: "/", headers: { "x-github-event": "pull_request", "x-github-delivery": `bench-${mode}`, "x-hub-signature-256": signature }, body, isBase64Encoded: false, requestContext: { http: { method: "POST" } } };
  const started = performance.now();
  const response = await handler(event);
  const elapsed = performance.now() - started;
  if (response?.statusCode !== 200) throw new Error(`The webhook answered ${response?.statusCode}: ${response?.body}`);
  return elapsed;
}

nock.disableNetConnect();
console.log(`webhook deadline: pull request with ${NOTEBOOKS} changed notebooks (${(notebooks.reduce((s, nb) => s + nb.bytes.byteLength, 0) / 1024 / 1024).toFixed(1)} MB), production Octokit (retry and throttling on)`);
console.log("GitHub delay | inline answer | / 10 s limit | async answer | / 10 s limit");
for (const delay of [0, 250, 1000]) {
  mockGitHub(delay);
  const inline = await timeDelivery("inline");
  mockGitHub(delay);
  const deferred = await timeDelivery("async");
  const row = [`${delay} ms`.padStart(12), `${(inline / 1000).toFixed(2)} s`.padStart(13), `${(inline / LIMIT_MS).toFixed(2)}`.padStart(12), `${deferred.toFixed(0)} ms`.padStart(12), `${(deferred / LIMIT_MS).toFixed(3)}`.padStart(12)];
  console.log(row.join(" | "));
}
nock.cleanAll();
nock.restore();
