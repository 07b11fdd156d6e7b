import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startBatchStandin, type BatchStandin } from "../support/batch-standin.js";
import { loadOpenApiContract, type OpenApiContract } from "../support/openapi-contract.js";
import { S3RVER_ENV, startS3Server, type S3Server } from "../support/s3-server.js";
import { freePort, waitFor as waitUntil } from "../support/wait-for.js";
import { startTrainStandin, type TrainStandin } from "./train-standin.js";

// The operator's allow-lists and fork trust, end to end: the real server (`npm start`) in its
// AWS Batch mode, signed webhooks over HTTP, GitHub on loopback, the runs in a loopback S3
// (s3rver) and AWS Batch on loopback, which records every call. Each refusal must answer with a
// reply that names the key and what the operator allows, and must send no SubmitJob; an allowed
// /train in the same setup does reach SubmitJob, so "none" means refused, not unwired.

const root = path.resolve(import.meta.dirname, "../..");
const SECRET = "policy-e2e-secret";
const TOKEN = "ghs_PolicyE2eInstallationToken0123456789";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const PUSHED = "4d3c2b1a4d3c2b1a4d3c2b1a4d3c2b1a4d3c2b1a";
const NB = "notebooks/spiral.ipynb";
const CONFIG_KEY = "null:.github/nbtrain.yml";

let standin: TrainStandin;
let batch: BatchStandin;
let s3: S3Server;
let contract: OpenApiContract;
let server: ChildProcess | undefined;
let appUrl = "";
let output = "";
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const basePull = JSON.parse(readFileSync(path.join(root, "test/fixtures/webhooks/pull_request.opened.json"), "utf8")).pull_request;

function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: 50, context: () => output.slice(-4000) });
}

function environment(port: number, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    HOST: "127.0.0.1",
    PORT: String(port),
    APP_ID: "4242",
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: standin.host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "info",
    NODE_ENV: "production",
    ...S3RVER_ENV,
    AWS_REGION: "eu-west-1",
    AWS_ENDPOINT_URL_BATCH: batch.endpoint,
    NBTRAIN_S3_ENDPOINT: s3.endpoint,
    NBTRAIN_COMPUTE: "aws-batch",
    NBTRAIN_STORE: `s3://${s3.bucket}/runs`,
    // The notebook alone: the job-token secret (Secrets Manager) is another test's subject.
    NBTRAIN_JOB_SOURCE: "notebook",
    NBTRAIN_BATCH_QUEUES: "nbtrain,team-*",
    NBTRAIN_MAX_GPUS: "2",
    ...extra,
  };
}

async function startServer(extra: Record<string, string> = {}): Promise<ChildProcess> {
  const port = await freePort();
  output = "";
  const child = spawn(process.execPath, ["dist/src/app/start-server.js"], { cwd: root, env: environment(port, extra), stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  appUrl = `http://127.0.0.1:${port}`;
  await waitFor("the server to listen or exit", () => /Listening on/u.test(output) || child.exitCode !== null);
  return child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid, "SIGTERM");
  await exited;
}

let nextComment = 3000;

/** Posts a signed `issue_comment.created`; `reply()` then waits for the server's next comment on the PR. */
async function comment(body: string, login = "Codertocat"): Promise<{ id: number; reply: () => Promise<string> }> {
  const id = nextComment++;
  const payload = JSON.parse(readFileSync(path.join(root, "test/fixtures/train/issue_comment.created.json"), "utf8"));
  payload.comment.id = id;
  payload.comment.body = body;
  payload.comment.user.login = login;
  payload.sender.login = login;
  const text = JSON.stringify(payload);
  const before = standin.state.comments.length;
  const response = await fetch(`${appUrl}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-github-delivery": `policy-e2e-${id}`,
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(text).digest("hex")}`,
    },
    body: text,
  });
  expect(response.status).toBe(200);
  return { id, reply: async () => (await waitFor(`a reply to comment ${id}`, () => standin.state.comments[before])).body };
}

/** Posts a signed `check_run.requested_action`: someone clicked **Approve fork** on check run `id`. */
async function click(id: number, headSha: string, externalId: string, login = "Codertocat"): Promise<Response> {
  const payload = JSON.parse(readFileSync(path.join(root, "test/fixtures/train/check_run.requested_action.json"), "utf8"));
  Object.assign(payload.check_run, { id, name: "nbtrain / train: fork approval", head_sha: headSha, external_id: externalId, pull_requests: [] });
  payload.requested_action = { identifier: "nbtrain-approve-fork" };
  payload.sender.login = login;
  const text = JSON.stringify(payload);
  return fetch(`${appUrl}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "check_run",
      "x-github-delivery": `policy-e2e-click-${id}`,
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(text).digest("hex")}`,
    },
    body: text,
  });
}

/** Waits for the run's 🚀 (it was submitted) or its 😕 (refused). */
function outcomeOf(commentId: number): Promise<string> {
  return waitFor(`the outcome of comment ${commentId}`, () => standin.state.reactions.find((r) => r.commentId === commentId && (r.content === "rocket" || r.content === "confused"))?.content);
}

const submits = (): number => batch.calls.filter((call) => call.operation === "submitjob").length;

function setConfig(gpus: string, extra = ""): void {
  standin.state.contents.set(CONFIG_KEY, `train:\n  gpus:\n${gpus}\n  limits:\n    max_gpus: 4\n    max_concurrent_per_repo: 100\n    max_concurrent_per_pr: 100\n${extra}`);
}
const T4 = "    t4: { queue: nbtrain, job_definition: nbtrain-runner, vcpus: 4, memory: 15GiB }";

describe("the operator's allow-lists and fork approval, through the real server", () => {
  beforeAll(async () => {
    if (!existsSync(path.join(root, "dist/src/app/start-server.js"))) throw new Error("dist/ is not built: run the tests through vitest, whose global setup builds it");
    contract = loadOpenApiContract();
    standin = await startTrainStandin({ contract, token: TOKEN, pull: { ...basePull, number: 1, head: { ...basePull.head, sha: HEAD } } });
    const notebook = readFileSync(path.join(root, "templates/notebooks/train-spiral-numpy.ipynb"), "utf8");
    standin.state.contents.set(`${HEAD}:${NB}`, notebook);
    standin.state.contents.set(`${PUSHED}:${NB}`, notebook);
    batch = await startBatchStandin();
    s3 = await startS3Server("nbtrain-policy");
    server = await startServer();
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}:\n${output}`);
  }, 120_000);

  afterAll(async () => {
    await stop(server);
    await standin?.close();
    await batch?.close();
    await s3?.close();
  });

  beforeEach(() => {
    standin.state.permissions.set("Codertocat", "write");
    standin.state.pull = { ...basePull, number: 1, head: { ...basePull.head, sha: HEAD } };
    setConfig(T4);
  });

  it("submits an allowed /train to Batch: the stand-in sees SubmitJob (the control for every refusal below)", async () => {
    const { id } = await comment(`/train ${NB}`);
    expect(await outcomeOf(id)).toBe("rocket");
    expect(submits()).toBe(1);
    const call = batch.calls.find((c) => c.operation === "submitjob")!;
    expect(call.body).toMatchObject({ jobQueue: "nbtrain", jobDefinition: "nbtrain-runner" });
  });

  it("admits a queue by a wildcard entry, and /train cancel then searches that queue too", async () => {
    setConfig("    t4: { queue: team-vision, job_definition: nbtrain-runner, vcpus: 4, memory: 15GiB }");
    const before = submits();
    const { id } = await comment(`/train ${NB}`);
    expect(await outcomeOf(id)).toBe("rocket");
    expect(submits()).toBe(before + 1);
    expect(batch.calls.filter((c) => c.operation === "submitjob").at(-1)!.body).toMatchObject({ jobQueue: "team-vision" });
    const searched = batch.calls.length;
    const cancel = await comment(`/train cancel c${id}`);
    expect(await cancel.reply()).toContain(`c${id}`);
    expect(batch.calls.slice(searched).filter((c) => c.operation === "listjobs").map((c) => c.body.jobQueue)).toEqual(["nbtrain", "team-vision"]);
  });

  it("refuses a queue outside NBTRAIN_BATCH_QUEUES, naming the key and what the operator allows", async () => {
    setConfig("    t4: { queue: admin-queue, job_definition: nbtrain-runner, vcpus: 4, memory: 15GiB }");
    const before = submits();
    const { id, reply } = await comment(`/train ${NB}`);
    expect(await outcomeOf(id)).toBe("confused");
    expect(await reply()).toContain("The job queue `admin-queue` (`train.gpus.t4.queue`) is not one this deployment allows; the operator allows `nbtrain`, `team-*` (NBTRAIN_BATCH_QUEUES).");
    expect(submits()).toBe(before);
    expect([...standin.state.checkRuns.values()].filter((run) => run.external_id === `c${id}`)).toEqual([]);
  });

  it("refuses a job definition outside the list (default: the deployment's own, <queue>-runner*)", async () => {
    setConfig("    t4: { queue: team-vision, job_definition: admin-role-job, vcpus: 4, memory: 15GiB }");
    const before = submits();
    const { id, reply } = await comment(`/train ${NB}`);
    expect(await outcomeOf(id)).toBe("confused");
    expect(await reply()).toContain("The job definition `admin-role-job` (`train.gpus.t4.job_definition`) is not one this deployment allows; the operator allows `nbtrain-runner`, `nbtrain-runner-*` (NBTRAIN_BATCH_JOB_DEFINITIONS).");
    expect(submits()).toBe(before);
  });

  it("refuses a GPU count above NBTRAIN_MAX_GPUS even where the repository's own limit allows it", async () => {
    const before = submits();
    const { id, reply } = await comment(`/train ${NB} --gpus 3`);
    expect(await outcomeOf(id)).toBe("confused");
    expect(await reply()).toContain("3 GPUs (`--gpus`) is more than this deployment allows: at most 2 GPUs per run (NBTRAIN_MAX_GPUS).");
    expect(submits()).toBe(before);
  });

  it("refuses a fork's /train before a maintainer's approval and after a new push; approval by a maintainer lets exactly that commit train", async () => {
    const fork = { ...basePull.head.repo, id: 777, full_name: "forker/Hello-World", fork: true, owner: { ...basePull.head.repo.owner, login: "forker" } };
    standin.state.pull = { ...basePull, number: 1, head: { ...basePull.head, sha: HEAD, repo: fork } };
    const before = submits();

    const first = await comment(`/train ${NB}`);
    expect(await outcomeOf(first.id)).toBe("confused");
    const firstReply = await first.reply();
    expect(firstReply).toContain("This pull request comes from a fork, and its head `ec26c3e` is not approved for training, so nothing was submitted.");
    expect(firstReply).toContain("Approving trains exactly this commit of the fork");
    // The check run with the Approve fork button, on the fork's head commit.
    const approval = [...standin.state.checkRuns.values()].find((run) => run.name === "nbtrain / train: fork approval" && run.head_sha === HEAD);
    expect(approval).toMatchObject({ status: "completed", external_id: "fork-approval:1" });

    // A writer cannot approve: maintainers vouch for a stranger's code.
    const writer = await comment("/train approve");
    expect(await writer.reply()).toContain("needs **maintain** or **admin** permission on this repository, and @Codertocat has **write**, so nothing was approved.");
    standin.state.permissions.set("Codertocat", "maintain");
    const approved = await comment("/train approve");
    const approvedReply = await approved.reply();
    expect(approvedReply).toContain("@Codertocat approved commit `ec26c3e` of this fork for training");
    expect(approvedReply).toContain("A new push to the fork drops the approval");
    // The comment approves as the button does: the commit's approval check run says so, with no button left.
    expect(await waitFor("the approval check run to complete", () => (approval!.conclusion === "success" ? approval : undefined))).toMatchObject({ output: { title: "Approved by @Codertocat" } });
    expect(submits()).toBe(before);

    const second = await comment(`/train ${NB}`);
    expect(await outcomeOf(second.id)).toBe("rocket");
    expect(submits()).toBe(before + 1);

    // The fork pushes: the new head has no approval.
    standin.state.pull = { ...basePull, number: 1, head: { ...basePull.head, sha: PUSHED, repo: fork } };
    const third = await comment(`/train ${NB}`);
    expect(await outcomeOf(third.id)).toBe("confused");
    // A second refusal on the same commit adds no second approval check run.
    const again = await comment(`/train ${NB}`);
    expect(await outcomeOf(again.id)).toBe("confused");
    expect([...standin.state.checkRuns.values()].filter((run) => run.name === "nbtrain / train: fork approval" && run.head_sha === PUSHED)).toHaveLength(1);
    expect(await third.reply()).toContain("The fork pushed since its last approval, so its new head `4d3c2b1` is not approved and nothing was submitted.");
    expect(submits()).toBe(before + 1);

    // The Approve fork button on the new head's check run approves that commit, as `/train approve` does.
    const waiting = [...standin.state.checkRuns.values()].find((run) => run.name === "nbtrain / train: fork approval" && run.head_sha === PUSHED)!;
    expect(waiting).toBeDefined();
    const before2 = standin.state.comments.length;
    expect((await click(waiting.id, PUSHED, waiting.external_id!)).status).toBe(200);
    const clicked = await waitFor("the approval's reply", () => standin.state.comments[before2]);
    expect(clicked.body).toContain("@Codertocat approved commit `4d3c2b1` of this fork for training");
    expect(await waitFor("the check run to show the approval", () => (waiting.conclusion === "success" ? waiting : undefined))).toMatchObject({ output: { title: "Approved by @Codertocat" } });
    const fourth = await comment(`/train ${NB}`);
    expect(await outcomeOf(fourth.id)).toBe("rocket");
    expect(submits()).toBe(before + 2);

    // A repository may forbid fork training altogether.
    setConfig(T4, "  forks: deny\n");
    const denied = await comment(`/train ${NB}`);
    expect(await denied.reply()).toContain("This repository does not train pull requests from forks (`train.forks: deny`");
    expect(submits()).toBe(before + 2);
    expect(contract.violations()).toEqual([]);
  });

  it("will not start with a store outside NBTRAIN_ALLOWED_STORES, naming both variables", async () => {
    const refused = await startServer({ NBTRAIN_ALLOWED_STORES: "s3://another-bucket/runs" }).catch((error: unknown) => error);
    expect(refused).not.toBeInstanceOf(Error);
    await waitFor("the server to exit", () => (refused as ChildProcess).exitCode !== null);
    expect((refused as ChildProcess).exitCode).not.toBe(0);
    expect(output).toContain(`NBTRAIN_STORE s3://nbtrain-policy/runs is not within NBTRAIN_ALLOWED_STORES (s3://another-bucket/runs)`);
  });
});
