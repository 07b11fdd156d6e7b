import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTarball } from "../support/make-tarball.js";
import { loadOpenApiContract, type OpenApiContract } from "../support/openapi-contract.js";
import { startTrainStandin, type TrainCheckRun, type TrainStandin } from "./train-standin.js";
import { freePort, waitFor as waitUntil } from "../support/wait-for.js";

// `/train` end to end on the local backend: the real server process (`npm start`), signed
// webhooks over HTTP, GitHub on loopback, and the real runner executing the numpy example on a
// real Jupyter kernel (/usr/bin/python3). Nothing here is mocked inside the server. Jobs run inside
// the repository's tree (NBTRAIN_JOB_SOURCE defaults to archive): the stand-in grants a scoped job
// token and serves the commit's tarball through GitHub's redirect.

const root = path.resolve(import.meta.dirname, "../..");
const SECRET = "train-e2e-secret";
const TOKEN = "ghs_TrainE2eInstallationToken0123456789ab";
const JOB_TOKEN = "ghs_TrainE2eJobTokenReadOnly0123456789abcd";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const NB = "notebooks/spiral.ipynb";
const PYTHON = "/usr/bin/python3";

let standin: TrainStandin;
let contract: OpenApiContract;
let server: ChildProcess;
let appUrl = "";
let output = "";
let dataDir = "";

/** Waits as this file's server needs: up to 120_000 ms by default, showing the server's output on a timeout. */
function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 120_000): Promise<T> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: 100, context: () => output.slice(-6000) });
}

/** SIGTERM, as a service manager stops the server; it must exit on its own within the grace period. */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid, "SIGTERM");
  const timer = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), 15_000).unref());
  if ((await Promise.race([exited, timer])) === "late") {
    process.kill(-child.pid, "SIGKILL");
    throw new Error(`the server did not exit within 15 s of SIGTERM; output:\n${output.slice(-3000)}`);
  }
}

async function comment(id: number, body: string): Promise<Response> {
  const payload = JSON.parse(readFileSync(path.join(root, "test/fixtures/train/issue_comment.created.json"), "utf8"));
  payload.comment.id = id;
  payload.comment.body = body;
  const text = JSON.stringify(payload);
  return fetch(`${appUrl}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-github-delivery": `train-e2e-${id}`,
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(text).digest("hex")}`,
    },
    body: text,
  });
}

/** Any signed webhook, as GitHub sends it. */
async function webhook(event: string, payload: unknown, deliveryId: string): Promise<Response> {
  const text = JSON.stringify(payload);
  return fetch(`${appUrl}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(text).digest("hex")}`,
    },
    body: text,
  });
}

/** The epoch inside the checkpoint a run's latest manifest names, read with numpy. */
function storedEpoch(runId: string): number {
  const prefix = path.join(dataDir, "runs/Codertocat/Hello-World", runId);
  const manifest = JSON.parse(readFileSync(path.join(prefix, "manifest.json"), "utf8"));
  const file = path.join(prefix, manifest.files[0].key);
  return Number(execFileSync(PYTHON, ["-c", "import numpy, sys; print(int(numpy.load(sys.argv[1])['epoch']))", file]).toString());
}

function runOf(runId: string): TrainCheckRun | undefined {
  return [...standin.state.checkRuns.values()].find((run) => run.external_id === runId);
}

let privateKey = "";

/** Starts the server on a fresh port with the same data folder (a restart keeps its queue). */
async function startServer(): Promise<void> {
  const port = await freePort();
  privateKey ||= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  // What `npm start` runs, started directly so that the test holds the server's own pid.
  const start = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts.start as string;
  expect(start).toBe("node dist/src/app/start-server.js");
  output = "";
  server = spawn(process.execPath, ["dist/src/app/start-server.js"], {
    cwd: root,
    env: {
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
      NBTRAIN_DATA_DIR: dataDir,
      NBTRAIN_PYTHON: PYTHON,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  server.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  server.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  appUrl = `http://127.0.0.1:${port}`;
  await waitFor("the server to listen", () => /Listening on/u.test(output) || server.exitCode !== null, 60_000);
  if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}:\n${output}`);
}

function queueRecord(runId: string): { status: string; attempt: number; pid?: number } {
  return JSON.parse(readFileSync(path.join(dataDir, "local/queue", `${runId}.json`), "utf8"));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("/train on the local backend, end to end", () => {
  beforeAll(async () => {
    // A missing interpreter must fail this test loudly, not skip it.
    execFileSync(PYTHON, ["-c", "import nbclient, ipykernel, nbformat, numpy"], { stdio: "pipe" });
    // test/global-setup.ts builds the server and the runner entry, once for the whole suite.
    if (!existsSync(path.join(root, "dist/src/runner/job-entry.js"))) throw new Error("dist/ is not built: run the tests through vitest, whose global setup builds it");
    contract = loadOpenApiContract();
    const pull = JSON.parse(readFileSync(path.join(root, "test/fixtures/webhooks/pull_request.opened.json"), "utf8")).pull_request;
    pull.number = 1;
    pull.head.sha = HEAD;
    standin = await startTrainStandin({ contract, token: TOKEN, jobToken: JOB_TOKEN, pull });
    standin.state.permissions.set("Codertocat", "write");
    const notebook = readFileSync(path.join(root, "templates/notebooks/train-spiral-numpy.ipynb"), "utf8");
    standin.state.contents.set(`${HEAD}:${NB}`, notebook);
    // The commit's tree as `git archive` writes it: the notebook in its folder, one top folder named after the commit.
    const top = `Codertocat-Hello-World-${HEAD.slice(0, 7)}`;
    standin.state.archives.set(
      HEAD,
      makeTarball({
        comment: HEAD,
        entries: [
          { path: `${top}/`, type: "dir" },
          { path: `${top}/README.md`, content: "# Hello-World\n" },
          { path: `${top}/notebooks/`, type: "dir" },
          { path: `${top}/${NB}`, content: notebook },
        ],
      }),
    );

    dataDir = mkdtempSync(path.join(tmpdir(), "nbtrain-e2e-train-"));
    await startServer();
  }, 180_000);

  afterAll(async () => {
    await stop(server);
    await standin?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("trains the numpy example on a real kernel and completes the check run with metrics and a chart", async () => {
    const response = await comment(1001, `/train ${NB} epochs=4 hidden=16`);
    expect(response.status).toBe(200);
    const run = await waitFor("the check run to complete", () => (runOf("c1001")?.status === "completed" ? runOf("c1001") : undefined), 150_000);

    expect(run).toMatchObject({ name: `nbtrain / train: ${NB}`, head_sha: HEAD, conclusion: "success" });
    expect(run.history[0]).toBe("queued");
    expect(run.history).toContain("in_progress");
    const summary = run.output!.summary!;
    expect(summary).toMatch(/\| accuracy \| 0?\.\d+|\| accuracy \| 1 \|/u);
    expect(summary).toContain("| epochs | 4 |");
    expect(summary).toContain("```mermaid\nxychart-beta");
    expect(summary).toContain(`${dataDir}/runs/Codertocat/Hello-World/c1001/output.ipynb`);
    expect(existsSync(path.join(dataDir, "runs/Codertocat/Hello-World/c1001/output.ipynb"))).toBe(true);
    expect(standin.state.reactions.filter((r) => r.commentId === 1001).map((r) => r.content)).toEqual(["eyes", "rocket"]);
    const sticky = await waitFor("the Runs line", () => standin.state.comments.find((c) => c.body.includes("<!-- nbtrain:run:c1001 -->✅ **succeeded**")));
    expect(sticky.body).toContain("nbtrain · training runs");

    // A redelivery of the same comment submits nothing: still one check run for c1001.
    expect((await comment(1001, `/train ${NB} epochs=4 hidden=16`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect([...standin.state.checkRuns.values()].filter((r) => r.external_id === "c1001")).toHaveLength(1);
    expect(contract.violations()).toEqual([]);
    expect(output).not.toContain(TOKEN);

    // The job ran inside the repository's tree: one scoped token request, one archive download
    // through the redirect (the token went to the API host only), the archive kept for later attempts.
    expect(standin.state.tokenRequests).toContainEqual({ repositories: ["Hello-World"], permissions: { contents: "read" } });
    expect(standin.requests.filter((r) => r.path === `/repos/Codertocat/Hello-World/tarball/${HEAD}`).map((r) => r.status)).toEqual([302]);
    const codeload = standin.requests.filter((r) => r.path.startsWith("/codeload/"));
    expect(codeload).toEqual([{ method: "GET", path: `/codeload/Codertocat/Hello-World/legacy.tar.gz/${HEAD}`, status: 200 }]);
    expect(existsSync(path.join(dataDir, "runs/Codertocat/Hello-World/c1001/source.tar.gz"))).toBe(true);
    expect(output).not.toContain(JOB_TOKEN);
    expect(readFileSync(path.join(dataDir, "runs/Codertocat/Hello-World/c1001/output.ipynb"), "utf8")).not.toContain(JOB_TOKEN);
  }, 200_000);

  it("survives kill -9 of the job mid-run: the next attempt resumes and the check run completes", async () => {
    const runId = "c1002";
    expect((await comment(1002, `/train ${NB} epochs=14 epoch_delay=0.5 hidden=16`)).status).toBe(200);
    const manifest = path.join(dataDir, `runs/Codertocat/Hello-World/${runId}/manifest.json`);
    await waitFor("a checkpoint to reach the store", () => existsSync(manifest), 120_000);
    const record = queueRecord(runId);
    expect(record).toMatchObject({ status: "running", attempt: 1 });
    // The whole job: the runner and the kernel it started, as the OOM killer or a crash would.
    process.kill(-record.pid!, "SIGKILL");

    const run = await waitFor("the check run to complete", () => (runOf(runId)?.status === "completed" ? runOf(runId) : undefined), 180_000);
    expect(run.conclusion).toBe("success");
    const summary = run.output!.summary!;
    expect(summary).toContain("| 2 (1 interruption survived) |");
    expect(summary).toContain("attempt 1: the runner was killed by SIGKILL");
    expect(summary).toContain("| epochs | 14 |");
    expect(run.history.at(-1)).toBe("completed");
    const result = JSON.parse(readFileSync(path.join(dataDir, `runs/Codertocat/Hello-World/${runId}/result.json`), "utf8"));
    expect(result).toMatchObject({ status: "completed", attempt: 2, resumed: true });
    expect(contract.violations()).toEqual([]);
  }, 300_000);

  it("/train cancel stops a running job: the check run completes as cancelled and the job's processes are gone", async () => {
    const runId = "c1003";
    expect((await comment(1003, `/train ${NB} epochs=60 epoch_delay=0.5 hidden=16`)).status).toBe(200);
    await waitFor("the job to run", () => runOf(runId)?.status === "in_progress" && existsSync(path.join(dataDir, "local/queue", `${runId}.json`)) && queueRecord(runId).status === "running");
    const pid = queueRecord(runId).pid!;
    expect((await comment(1004, `/train cancel ${runId}`)).status).toBe(200);
    const run = await waitFor("the check run to be cancelled", () => (runOf(runId)?.status === "completed" ? runOf(runId) : undefined), 60_000);
    expect(run.conclusion).toBe("cancelled");
    await waitFor("the backend to record the cancel", () => queueRecord(runId).status === "cancelled", 60_000);
    expect(alive(pid)).toBe(false);
    await waitFor("the reply", () => standin.state.comments.find((c) => c.body.includes(`\`${runId}\` (\`${NB}\`): cancelled`)));
  }, 120_000);

  it("Continue on a cancelled run's check run (a signed button click) trains the next segment from its checkpoint", async () => {
    const runId = "c1009";
    expect((await comment(1009, `/train ${NB} epochs=60 epoch_delay=0.5 hidden=16`)).status).toBe(200);
    await waitFor("a checkpoint to reach the store", () => existsSync(path.join(dataDir, `runs/Codertocat/Hello-World/${runId}/manifest.json`)), 120_000);
    expect((await comment(1010, `/train cancel ${runId}`)).status).toBe(200);
    const cancelled = await waitFor("the check run to be cancelled", () => (runOf(runId)?.status === "completed" ? runOf(runId) : undefined), 60_000);
    expect(cancelled.conclusion).toBe("cancelled");
    expect(cancelled.actions?.map((action) => action.identifier)).toEqual(["nbtrain-rerun", "nbtrain-continue"]);
    await waitFor("the backend to record the cancel", () => queueRecord(runId).status === "cancelled", 60_000);
    const epoch = storedEpoch(runId);
    expect(epoch).toBeGreaterThanOrEqual(1);
    const payload = JSON.parse(readFileSync(path.join(root, "test/fixtures/train/check_run.requested_action.json"), "utf8"));
    payload.check_run.external_id = runId;
    payload.check_run.id = runOf(runId)!.id;
    payload.requested_action = { identifier: "nbtrain-continue" };
    expect((await webhook("check_run", payload, "e2e-continue-1")).status).toBe(200);
    const next = await waitFor("the next segment to complete", () => (runOf(`${runId}-s2`)?.status === "completed" ? runOf(`${runId}-s2`) : undefined), 180_000);
    expect(next.conclusion).toBe("success");
    const output = readFileSync(path.join(dataDir, `runs/Codertocat/Hello-World/${runId}-s2/output.ipynb`), "utf8");
    // The notebook saw resume = True and went on after the last saved epoch.
    expect(output).toContain(`Resuming from epoch ${epoch}`);
    expect(output).toContain(`epoch ${epoch + 1}: loss`);
    expect(next.output!.summary).toContain("#### Segments");
    expect(next.output!.summary).toContain(`| 1 | [\`${runId}\`]`);
    // The same click redelivered starts nothing more.
    expect((await webhook("check_run", payload, "e2e-continue-1")).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect([...standin.state.checkRuns.values()].filter((r) => r.external_id === `${runId}-s2`)).toHaveLength(1);
    expect(runOf(`${runId}-s3`)).toBeUndefined();
    expect(contract.violations()).toEqual([]);
  }, 360_000);

  it("a server restart mid-run loses nothing: the run resumes under the new server and its check run completes", async () => {
    const runId = "c1005";
    expect((await comment(1005, `/train ${NB} epochs=14 epoch_delay=0.5 hidden=16`)).status).toBe(200);
    await waitFor("a checkpoint to reach the store", () => existsSync(path.join(dataDir, `runs/Codertocat/Hello-World/${runId}/manifest.json`)), 120_000);
    await stop(server);
    expect(queueRecord(runId)).toMatchObject({ status: "running", attempt: 1 });
    expect(runOf(runId)?.status).toBe("in_progress");

    await startServer();
    const run = await waitFor("the check run to complete", () => (runOf(runId)?.status === "completed" ? runOf(runId) : undefined), 180_000);
    expect(run.conclusion).toBe("success");
    expect(run.output!.summary).toContain("| 2 (1 interruption survived) |");
    expect(run.output!.summary).toContain("the nbtrain server stopped while attempt 1 was running");
    expect(contract.violations()).toEqual([]);
  }, 300_000);

  it("/train continue after a timeout completes from the checkpoint: the notebook sees resume = True and starts after the last saved epoch", async () => {
    const runId = "c1007";
    expect((await comment(1007, `/train ${NB} epochs=200 epoch_delay=1 hidden=16 --timeout 1m`)).status).toBe(200);
    const first = await waitFor("the run to time out", () => (runOf(runId)?.status === "completed" ? runOf(runId) : undefined), 180_000);
    expect(["timed_out", "failure"]).toContain(first.conclusion);
    expect(first.actions?.map((action) => action.identifier)).toContain("nbtrain-continue");
    const epoch = storedEpoch(runId);
    expect(epoch).toBeGreaterThanOrEqual(1);

    expect((await comment(1008, `/train continue ${runId} epochs=${epoch + 5} epoch_delay=0`)).status).toBe(200);
    const next = await waitFor("the continued segment to complete", () => (runOf(`${runId}-s2`)?.status === "completed" ? runOf(`${runId}-s2`) : undefined), 180_000);
    expect(next.conclusion).toBe("success");
    const output = readFileSync(path.join(dataDir, `runs/Codertocat/Hello-World/${runId}-s2/output.ipynb`), "utf8");
    expect(output).toContain(`Resuming from epoch ${epoch}`);
    expect(output).toContain(`epoch ${epoch + 1}: loss`);
    expect(output).toContain("resume = True");
    expect(next.output!.summary).toContain(`| epochs | ${epoch + 5} |`);
    const reply = await waitFor("the reply", () => standin.state.comments.find((c) => c.body.includes(`Continuing run \`${runId}\` as segment 2`)));
    expect(reply.body).toContain(`from checkpoint #`);
    expect(contract.violations()).toEqual([]);
  }, 400_000);

  it("--budget chains a timed-out segment into the next one by itself, which completes the training", async () => {
    const runId = "c1011";
    // About 80 s of epochs: more than one 1-minute segment, well within the 6-minute budget.
    expect((await comment(1011, `/train ${NB} epochs=80 epoch_delay=1 hidden=16 --timeout 1m --budget 6m`)).status).toBe(200);
    const first = await waitFor("the first segment to end", () => (runOf(runId)?.status === "completed" ? runOf(runId) : undefined), 180_000);
    expect(first.conclusion).toBe("timed_out");
    expect(first.output!.summary).toContain(`**Budget:** segment 2 (run \`${runId}-s2\`) continues from this run's latest checkpoint`);
    const last = await waitFor("the chain to complete", () => {
      const done = [...standin.state.checkRuns.values()].filter((r) => r.external_id?.startsWith(`${runId}-s`) && r.status === "completed");
      return done.find((r) => r.conclusion === "success");
    }, 400_000);
    const summary = last.output!.summary!;
    expect(summary).toContain("#### Segments");
    expect(summary).toContain(`| 1 | [\`${runId}\`]`);
    expect(summary).toContain("| epochs | 80 |");
    const epochs = readFileSync(path.join(dataDir, `runs/Codertocat/Hello-World/${last.external_id}/metrics.jsonl`), "utf8").trim().split("\n").map((line) => JSON.parse(line).epoch);
    expect(epochs.at(-1)).toBe(80);
    expect(contract.violations()).toEqual([]);
  }, 700_000);

  it("--budget stops a chain whose segment saved no checkpoint, and says so instead of looping", async () => {
    const runId = "c1012";
    // One epoch takes longer than the segment: nothing is ever saved.
    expect((await comment(1012, `/train ${NB} epochs=3 epoch_delay=300 hidden=16 --timeout 1m --budget 6m`)).status).toBe(200);
    const first = await waitFor("the segment to end", () => (runOf(runId)?.status === "completed" ? runOf(runId) : undefined), 180_000);
    expect(first.output!.summary).toContain("**Budget:** the chain stops here: the segment saved no new checkpoint");
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(runOf(`${runId}-s2`)).toBeUndefined();
  }, 300_000);
});
