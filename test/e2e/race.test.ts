import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STICKY_MARKER } from "../../src/report/render-pr-comment.js";
import { startGitHubStandin, type GitHubStandin } from "../support/github-standin.js";
import { loadOpenApiContract, type OpenApiContract } from "../support/openapi-contract.js";
import { repoRoot } from "../support/repo-root.js";
import { deliverWebhook, startServerProcess, type ServerProcess } from "../support/server-process.js";
import { waitFor } from "../support/wait-for.js";
import { startTrainStandin, type TrainStandin } from "./train-standin.js";

// Two real server processes (`npm start`) sharing one file store and one GitHub stand-in, fed
// the same signed deliveries at the same instant, as two instances behind a load balancer or two
// Lambda instances would be.

const SECRET = "race-webhook-secret";
const TOKEN = "ghs_RaceInstallationToken0123456789abcdXY";
const APP_ID = 4343;
const BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const NB = "notebooks/a.ipynb";

let standin: GitHubStandin;
let contract: OpenApiContract;
let storeDir: string;
let servers: ServerProcess[] = [];

const fixture = (name: string): Record<string, any> => JSON.parse(readFileSync(path.join(repoRoot, "test/fixtures/webhooks", `${name}.json`), "utf8"));
const notebook = (source: string) =>
  `${JSON.stringify({ cells: [{ cell_type: "code", execution_count: null, id: "c0", metadata: {}, outputs: [], source: [source] }], metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" } }, nbformat: 4, nbformat_minor: 5 })}\n`;
const sha = (i: number) => `${(0xabc000 + i).toString(16)}${"0".repeat(34)}`;

/** Sends one delivery to every server at the same instant and checks each acknowledged it. */
async function toAll(name: string, id: string, payload: unknown): Promise<void> {
  const answers = await Promise.all(servers.map((server) => deliverWebhook(server.url, SECRET, name, id, payload)));
  expect(answers.map((answer) => answer.status)).toEqual(servers.map(() => 200));
}

const outputs = () => servers.map((server, i) => `--- server ${i}\n${server.output().slice(-3000)}`).join("\n");

describe("two server processes, one store, one GitHub", () => {
  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, "dist/src/app/start-server.js"))) throw new Error("dist/ is not built: run the tests through vitest, whose global setup builds it");
    contract = loadOpenApiContract();
    standin = await startGitHubStandin({ contract, token: TOKEN });
    standin.state.appId = APP_ID;
    storeDir = await mkdtemp(path.join(tmpdir(), "nbtrain-race-store-"));
    const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const env = {
      APP_ID: String(APP_ID),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: standin.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
      NODE_ENV: "production",
      // Checks only; the claims go to the shared store.
      NBTRAIN_COMPUTE: "off",
      NBTRAIN_STORE: `file://${storeDir}`,
    };
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await standin?.close();
    if (storeDir) await rm(storeDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  it("a push and a pull_request.synchronize for one commit, both to both instances at once, 20 times: one check run and one sticky comment each time", async () => {
    for (let i = 0; i < 20; i++) {
      const head = sha(i);
      const pr = 100 + i; // a new pull request each time, so each round races to create its comment
      standin.state.pullFiles.set(pr, [{ filename: NB, status: "added" }]);
      standin.state.compareFiles.set(`${BASE}...${head}`, [{ filename: NB, status: "added" }]);
      standin.state.contents.set(`${head}:${NB}`, notebook(`x = ${i}`));
      const push = fixture("push");
      Object.assign(push, { after: head, before: BASE });
      const sync = fixture("pull_request.synchronize");
      sync.number = pr;
      sync.pull_request.number = pr;
      sync.pull_request.head.sha = head;
      // Probot's server answers once the handlers finished, so each round is complete when these resolve.
      await Promise.all([toAll("push", `push-${i}`, push), toAll("pull_request", `sync-${i}`, sync)]);
      const runs = [...standin.state.checkRuns.values()].filter((run) => run.head_sha === head);
      const comments = (standin.state.comments.get(pr) ?? []).filter((comment) => comment.body.startsWith(STICKY_MARKER));
      expect({ round: i, runs: runs.length, completed: runs.filter((run) => run.status === "completed").length, comments: comments.length }, outputs()).toEqual({ round: i, runs: 1, completed: 1, comments: 1 });
    }
    expect(contract.violations()).toEqual([]);
    for (const server of servers) expect(server.output()).not.toContain(TOKEN);
    // Both instances took part: each logged losing at least one claim.
    for (const server of servers) expect(server.output()).toContain("another delivery already claimed this check run");
  }, 180_000);
});

describe("two server processes training from one store", () => {
  const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
  const TRAIN_NB = "notebooks/spiral.ipynb";
  let train: TrainStandin;
  let trainServers: ServerProcess[] = [];
  let shared: string;
  const dataDirs: string[] = [];

  const trainOutputs = () => trainServers.map((server, i) => `--- server ${i}\n${server.output().slice(-3000)}`).join("\n");
  const commentPayload = (id: number, pr: number, body: string) => {
    const payload = JSON.parse(readFileSync(path.join(repoRoot, "test/fixtures/train/issue_comment.created.json"), "utf8")) as Record<string, any>;
    payload.comment.id = id;
    payload.comment.body = body;
    payload.issue.number = pr;
    return payload;
  };
  const runsOf = (runId: string) => [...train.state.checkRuns.values()].filter((run) => run.external_id === runId);
  const queued = (runId: string) => dataDirs.filter((dir) => existsSync(path.join(dir, "local/queue", `${runId}.json`))).length;

  beforeAll(async () => {
    execFileSync("/usr/bin/python3", ["-c", "import nbclient, ipykernel, nbformat, numpy"], { stdio: "pipe" });
    const pull = fixture("pull_request.opened").pull_request;
    pull.number = 1;
    pull.head.sha = HEAD;
    train = await startTrainStandin({ contract: loadOpenApiContract(), token: TOKEN, pull });
    train.state.permissions.set("Codertocat", "write");
    train.state.contents.set(`${HEAD}:${TRAIN_NB}`, readFileSync(path.join(repoRoot, "templates/notebooks/train-spiral-numpy.ipynb"), "utf8"));
    // Read with no ref (the default branch): one run at a time in the repository.
    train.state.contents.set("null:.github/nbtrain.yml", "train:\n  limits:\n    max_concurrent_per_repo: 1\n");
    shared = await mkdtemp(path.join(tmpdir(), "nbtrain-race-train-store-"));
    for (let i = 0; i < 2; i++) dataDirs.push(await mkdtemp(path.join(tmpdir(), `nbtrain-race-train-${i}-`)));
    const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    trainServers = await Promise.all(
      dataDirs.map((dir) =>
        startServerProcess({
          APP_ID: String(APP_ID),
          PRIVATE_KEY: privateKey,
          WEBHOOK_SECRET: SECRET,
          GHE_HOST: train.host,
          GHE_PROTOCOL: "http",
          LOG_LEVEL: "info",
          NODE_ENV: "production",
          // Each instance has its own local backend; runs, claims and the active index are in the shared store.
          NBTRAIN_DATA_DIR: dir,
          NBTRAIN_STORE: `file://${shared}`,
          NBTRAIN_JOB_SOURCE: "notebook",
          NBTRAIN_PYTHON: "/usr/bin/python3",
        }),
      ),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(trainServers.map((server) => server.stop()));
    await train?.close();
    for (const dir of [shared, ...dataDirs]) if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  it("one /train delivered to both instances at once makes one job", async () => {
    const payload = commentPayload(2001, 1, `/train ${TRAIN_NB} epochs=2 hidden=8`);
    const answers = await Promise.all(trainServers.map((server) => deliverWebhook(server.url, SECRET, "issue_comment", "train-race-2001", payload)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    await waitFor("the run's check run", () => runsOf("c2001").length > 0, { timeoutMs: 60_000, intervalMs: 100, context: trainOutputs });
    await waitFor("the loser to log that it stopped", () => trainServers.some((server) => server.output().includes("another instance is handling this /train")), {
      timeoutMs: 60_000,
      intervalMs: 100,
      context: trainOutputs,
    });
    expect(runsOf("c2001")).toHaveLength(1);
    expect(queued("c2001")).toBe(1);
    expect(train.state.reactions.filter((reaction) => reaction.commentId === 2001).map((reaction) => reaction.content)).toEqual(["eyes", "rocket"]);
    // It runs to the end, which frees the repository's one slot for the next test.
    const done = await waitFor("the run to complete", () => runsOf("c2001").find((run) => run.status === "completed"), { timeoutMs: 150_000, intervalMs: 200, context: trainOutputs });
    expect(done.conclusion).toBe("success");
  }, 240_000);

  it("two /train on two pull requests, one to each instance at once, with max_concurrent_per_repo 1: one runs, the other is refused with the reason", async () => {
    const first = commentPayload(2002, 1, `/train ${TRAIN_NB} epochs=2 hidden=8`);
    const second = commentPayload(2003, 2, `/train ${TRAIN_NB} epochs=2 hidden=8`);
    const answers = await Promise.all([
      deliverWebhook(trainServers[0]!.url, SECRET, "issue_comment", "train-race-2002", first),
      deliverWebhook(trainServers[1]!.url, SECRET, "issue_comment", "train-race-2003", second),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const refusal = await waitFor("a refusal naming the limit", () => train.state.comments.find((comment) => comment.body.includes("max_concurrent_per_repo")), {
      timeoutMs: 60_000,
      intervalMs: 100,
      context: trainOutputs,
    });
    expect(refusal.body).toContain("active run");
    const started = ["c2002", "c2003"].filter((runId) => runsOf(runId).length > 0);
    expect(started).toHaveLength(1);
    expect(started.map(queued)).toEqual([1]);
    expect(train.state.comments.filter((comment) => comment.body.includes("max_concurrent_per_repo"))).toHaveLength(1);
  }, 120_000);
});
