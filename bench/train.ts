/**
 * `npm run bench:train`: the bot's time from a `/train` webhook to the `SubmitJob` call, and the
 * GitHub API calls one command costs, with GitHub mocked in-process (nock) and the AWS Batch SDK
 * mocked (aws-sdk-client-mock). The store is the real file store in a temporary folder (each
 * write is made durable with fsync, which dominates the time).
 *
 * It prints p50 and p95 over the commands, against a baseline measured in the same run: the same
 * webhook path for a comment that is not a command (signature-free `probot.receive`, payload
 * parsing, the handler's guards), i.e. what every comment costs. GitHub answers instantly here,
 * so the time is the bot's own; add a real round trip (~50-150 ms each) per sequential call.
 */
import { BatchClient, ListJobsCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { mockClient } from "aws-sdk-client-mock";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { parseRepoConfig } from "../src/config/load-repo-config.js";
import { AwsBatchCompute } from "../src/compute/aws-batch-compute.js";
import { createApp } from "../src/app/create-app.js";
import { loadTemplates } from "../src/app/load-templates.js";
import { RunRegistry } from "../src/runs/run-registry.js";
import { checkNotebook } from "../src/notebook/check-notebook.js";
import { FileStore } from "../src/storage/file-store.js";
import { parseDeploymentPolicy } from "../src/config/deployment-policy.js";

const API = "https://api.github.com";
const REPO = "/repos/Codertocat/Hello-World";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const NB = "notebooks/spiral.ipynb";
const COMMANDS = 300;
const WARMUP = 20;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The calls a `/train` cannot do without: read the config (limits and permission level), the
 * commenter's permission, the PR (state and head SHA), the notebook at that SHA (it must exist),
 * 👀, the check run, 🚀. The installation token is cached by Probot across commands.
 */
const MINIMUM = ["GET config", "GET permission", "GET pull", "GET notebook", "POST reaction", "POST check-run", "POST reaction"];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function describe(method: string, url: string): string {
  if (url.includes("nbtrain.yml")) return `${method} config`;
  if (url.includes("/permission")) return `${method} permission`;
  if (/\/pulls\/\d+$/u.test(url)) return `${method} pull`;
  if (url.includes("/contents/")) return `${method} notebook`;
  if (url.includes("/reactions")) return `${method} reaction`;
  if (url.endsWith("/check-runs")) return `${method} check-run`;
  if (url.includes("access_tokens")) return `${method} token`;
  return `${method} ${url}`;
}

async function main(): Promise<void> {
  const storeDir = mkdtempSync(path.join(tmpdir(), "nbtrain-bench-train-"));
  const batch = mockClient(BatchClient);
  let submittedAt = 0;
  batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
  batch.on(SubmitJobCommand).callsFake(() => {
    submittedAt = performance.now();
    return { jobId: "job", jobName: "job", jobArn: "arn" };
  });
  nock.disableNetConnect();
  const calls: string[] = [];
  const notebookText = readFileSync(path.join(root, "templates/notebooks/train-spiral-numpy.ipynb"), "utf8");
  const pull = JSON.parse(readFileSync(path.join(root, "test/fixtures/webhooks/pull_request.opened.json"), "utf8")).pull_request;
  pull.number = 1;
  const scope = nock(API).persist();
  scope.on("request", (req: { method: string; path: string }) => calls.push(describe(req.method, req.path)));
  scope
    .post(/\/app\/installations\/2\/access_tokens/u)
    .reply(201, { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" })
    .get(`${REPO}/contents/${encodeURIComponent(".github/nbtrain.yml")}`)
    .reply(200, "train:\n  gpus:\n    a10g: {queue: q, job_definition: d, vcpus: 8, memory: 32GiB}\n  limits:\n    max_concurrent_per_repo: 1000\n    max_concurrent_per_pr: 1000\n", {
      "content-type": "application/vnd.github.raw; charset=utf-8",
    })
    .get(`${REPO}/collaborators/Codertocat/permission`)
    .reply(200, { permission: "write", role_name: "write", user: { login: "Codertocat" } })
    .get(`${REPO}/pulls/1`)
    .reply(200, pull)
    .get(new RegExp(`${REPO}/contents/notebooks`, "u"))
    .reply(200, notebookText, { "content-type": "application/vnd.github.raw; charset=utf-8" })
    .post(/\/reactions$/u)
    .reply(201, { id: 1, content: "eyes" })
    .post(`${REPO}/check-runs`)
    .reply(201, { id: 99 });

  const probot = new Probot({
    appId: 1,
    privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    log: pino({ level: "warn" }),
    Octokit: ProbotOctokit.defaults((options: Record<string, any>) => ({ ...options, retry: { enabled: false }, throttle: { ...options.throttle, enabled: false } })),
  });
  const compute = new AwsBatchCompute({ region: "us-east-1", queues: ["q"] });
  const store = new FileStore(storeDir);
  const registry = new RunRegistry(store);
  await probot.load(createApp({ checkNotebook, parseRepoConfig, templates: await loadTemplates(), train: { compute, store, storeUri: "s3://bucket/prefix", policy: parseDeploymentPolicy({ NBTRAIN_BATCH_QUEUES: "q", NBTRAIN_BATCH_JOB_DEFINITIONS: "d", NBTRAIN_MAX_MEMORY: "32GiB" }, "s3://bucket/prefix"), backend: "aws-batch" } }));
  const template = JSON.parse(readFileSync(path.join(root, "test/fixtures/train/issue_comment.created.json"), "utf8"));
  const event = (id: number, body: string) => ({ id: `bench-${id}`, name: "issue_comment" as const, payload: { ...template, comment: { ...template.comment, id, body } } as never });

  const times: number[] = [];
  const baseline: number[] = [];
  const perCommand: string[][] = [];
  for (let i = 0; i < COMMANDS + WARMUP; i++) {
    const start = performance.now();
    await probot.receive(event(1_000 + i, "thanks, looks good; I will /train it later"));
    const noop = performance.now() - start;

    calls.length = 0;
    submittedAt = 0;
    const begin = performance.now();
    await probot.receive(event(100_000 + i, `/train ${NB} lr=0.5 epochs=3 --gpu a10g`));
    if (submittedAt === 0) throw new Error(`command ${i} did not reach SubmitJob; calls: ${calls.join(", ")}`);
    // Steady state: the run finishes (its report clears the active-run entry) before the next
    // command, as a repository's handful of concurrent runs do; the index does not grow.
    await registry.clearActive("Codertocat", "Hello-World", 1, `c${100_000 + i}`);
    if (i >= WARMUP) {
      times.push(submittedAt - begin);
      baseline.push(noop);
      perCommand.push([...calls]);
    }
  }
  const submits = batch.commandCalls(SubmitJobCommand).length;
  batch.restore();
  nock.cleanAll();
  rmSync(storeDir, { recursive: true, force: true });

  times.sort((a, b) => a - b);
  baseline.sort((a, b) => a - b);
  const p50 = percentile(times, 50);
  const p95 = percentile(times, 95);
  const b50 = percentile(baseline, 50);
  const steady = perCommand.at(-1)!.filter((call) => call !== "POST token");
  const missing = MINIMUM.filter((call) => !steady.includes(call));
  const extra = [...steady];
  for (const call of MINIMUM) {
    const at = extra.indexOf(call);
    if (at !== -1) extra.splice(at, 1);
  }
  console.log(`/train webhook → SubmitJob, ${COMMANDS} commands (after ${WARMUP} warm-up), GitHub and Batch mocked, file store:`);
  console.log(`  p50 ${p50.toFixed(1)} ms   p95 ${p95.toFixed(1)} ms   (goal: p50 < 300 ms: ${p50 < 300 ? "met" : "NOT met"})`);
  console.log(`  baseline (a comment that is not a command, same path): p50 ${b50.toFixed(2)} ms → /train costs ${(p50 / b50).toFixed(1)}× the baseline`);
  console.log(`GitHub API calls per command: ${steady.length} (minimum ${MINIMUM.length}; the installation token is cached after the first command)`);
  console.log(`  made:    ${steady.join(", ")}`);
  console.log(`  beyond the minimum: ${extra.length === 0 ? "none" : extra.join(", ")}${missing.length > 0 ? `; MISSING: ${missing.join(", ")}` : ""}`);
  console.log("  round trips before SubmitJob: 4 (config, permission and PR read together; the notebook at the head SHA; 👀; the check run); 🚀 follows the submit");
  console.log(`SubmitJob calls: ${submits} for ${COMMANDS + WARMUP} commands`);
}

await main();
