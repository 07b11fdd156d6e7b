/**
 * `npm run bench:load`: the App served by several instances at once, as on Lambda or behind a
 * load balancer, taking a storm of deliveries.
 *
 * Two real server processes (`npm start`'s entry, dist/src/app/start-server.js) on loopback share
 * one file store and one GitHub API stand-in, behind a small round-robin proxy. 1,000 signed
 * deliveries arrive in bursts: for each of 25 commits (each on its own pull request), a push, a
 * pull_request.synchronize and a check_suite.requested, each delivered to both instances at the
 * same instant, then redelivered 4 times through the proxy in later bursts; for 10 of those pull
 * requests a `/train` comment, delivered the same way; and deliveries the App ignores (plain
 * comments, labels). Each instance runs its own local training backend (one job at a time) on a
 * trivial notebook; runs, claims and the active-run index live in the shared store. Real
 * production behaviour: Probot's retry and throttling plugins are on, so writes are spaced about
 * 1 s apart in each process.
 *
 * It prints the p50/p99 time to acknowledge a delivery, the peak memory (VmHWM) of each instance,
 * GitHub calls per delivery against the minimum (one pull_request event for each commit, handled
 * alone by one warm instance, measured in the same run), and the count of duplicate check runs
 * duplicate sticky comments and duplicate jobs (a run id queued on more than one backend, or a
 * comment with more than one run), each of which must be 0, else it exits 1.
 *
 * `NBTRAIN_BENCH_SERVER=/other/dist/src/app/start-server.js` runs another build (such as main
 * before this change) under the same load, to compare.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startGitHubStandin, type GitHubStandin } from "../test/support/github-standin.js";

const root = path.resolve(import.meta.dirname, "../..");
const SERVER = process.env.NBTRAIN_BENCH_SERVER ?? path.join(root, "dist/src/app/start-server.js");
const SECRET = "bench-load-secret";
const TOKEN = "ghs_BenchLoadToken0123456789abcdefABCDEF";
const APP_ID = 5151;
const INSTANCES = 2;
const COMMITS = 25;
const REDELIVERIES = 4;
const DELIVERIES = 1_000;
const DEADLINE_MS = 10 * 60_000;
const TRAINS = 10;
const BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const NB = "notebooks/a.ipynb";
const MARKER = "<!-- nbtrain:sticky -->";

const fixture = (name: string): Record<string, any> => JSON.parse(readFileSync(path.join(root, "test/fixtures/webhooks", `${name}.json`), "utf8"));
const notebook = (source: string) =>
  `${JSON.stringify({ cells: [{ cell_type: "code", execution_count: null, id: "c0", metadata: {}, outputs: [], source: [source] }], metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" } }, nbformat: 4, nbformat_minor: 5 })}\n`;
const shaOf = (i: number) => `${(0xbe0000 + i).toString(16)}${"0".repeat(34)}`;

interface Instance {
  url: string;
  dataDir: string;
  child: ChildProcess;
  output: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntil(what: string, probe: () => boolean, timeoutMs: number, context: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startInstance(env: Record<string, string>, dataDir: string): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", HOST: "127.0.0.1", PORT: String(port), NBTRAIN_DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const instance: Instance = { url: `http://127.0.0.1:${port}`, dataDir, child, output: "" };
  child.stdout!.on("data", (chunk: Buffer) => (instance.output = (instance.output + chunk.toString("utf8")).slice(-200_000)));
  child.stderr!.on("data", (chunk: Buffer) => (instance.output = (instance.output + chunk.toString("utf8")).slice(-200_000)));
  // Probot answers GET /ping once it listens; the log level is kept at warn, so no banner to wait for.
  let up = false;
  const poll = setInterval(() => {
    fetch(`${instance.url}/ping`).then((res) => (up = res.ok), () => undefined);
  }, 100);
  try {
    await waitUntil("an instance to listen", () => up || child.exitCode !== null, 60_000, () => instance.output);
  } finally {
    clearInterval(poll);
  }
  if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${instance.output}`);
  return instance;
}

/** Peak resident memory of a process, from Linux's VmHWM. */
async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmHWM:\s+(\d+) kB/u.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

/** A round-robin HTTP proxy: each request goes to the next instance in turn. */
async function startProxy(targets: string[]): Promise<{ url: string; close: () => Promise<void> }> {
  let next = 0;
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? "/", targets[next++ % targets.length]);
    const upstream = http.request(target, { method: req.method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Delivery {
  name: string;
  id: string;
  payload: unknown;
}

// No keep-alive: a socket the server closed while idle (after its 5 s keep-alive timeout) would be reused and reset.
const agent = new http.Agent({ keepAlive: false });
/** Deliveries acknowledged with 202 (handling outlived the middleware's timeout) rather than 200. */
let late = 0;

/** POSTs one signed delivery; resolves with the time to its acknowledgement. */
function deliver(url: string, delivery: Delivery): Promise<number> {
  const body = JSON.stringify(delivery.payload);
  const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/api/github/webhooks`,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-github-event": delivery.name, "x-github-delivery": delivery.id, "x-hub-signature-256": signature },
      },
      (res) => {
        res.on("error", reject);
        res.resume();
        // 202 is the webhooks middleware's "still processing" answer once handling passes its timeout: still an acknowledgement.
        res.on("end", () => {
          if (res.statusCode === 202) late++;
          if (res.statusCode === 200 || res.statusCode === 202) resolve(performance.now() - started);
          else reject(new Error(`delivery ${delivery.id} (${delivery.name}) answered ${res.statusCode}`));
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function commitEvents(i: number): Delivery[] {
  const head = shaOf(i);
  const pr = 500 + i;
  const push = fixture("push");
  Object.assign(push, { after: head, before: BASE });
  const sync = fixture("pull_request.synchronize");
  sync.number = pr;
  sync.pull_request.number = pr;
  sync.pull_request.head.sha = head;
  const suite = fixture("check_suite.rerequested");
  suite.action = "requested";
  Object.assign(suite.check_suite, { head_sha: head, after: head, before: BASE });
  suite.check_suite.pull_requests = [{ ...suite.check_suite.pull_requests[0], number: pr, head: { ...suite.check_suite.pull_requests[0].head, sha: head } }];
  return [
    { name: "push", id: `push-${i}`, payload: push },
    { name: "pull_request", id: `sync-${i}`, payload: sync },
    { name: "check_suite", id: `suite-${i}`, payload: suite },
  ];
}

function trainComment(i: number): Delivery {
  const payload = JSON.parse(readFileSync(path.join(root, "test/fixtures/train/issue_comment.created.json"), "utf8")) as Record<string, any>;
  payload.comment.id = 90_000 + i;
  payload.comment.body = `/train ${NB}`;
  payload.issue.number = 500 + i;
  return { name: "issue_comment", id: `train-${i}`, payload };
}

function noise(i: number, k: number): Delivery {
  if (k % 2 === 0) {
    const labeled = fixture("pull_request.opened");
    labeled.action = "labeled";
    return { name: "pull_request", id: `label-${i}-${k}`, payload: labeled };
  }
  const comment = JSON.parse(readFileSync(path.join(root, "test/fixtures/train/issue_comment.created.json"), "utf8")) as Record<string, any>;
  comment.comment.body = "Looks good to me.";
  return { name: "issue_comment", id: `comment-${i}-${k}`, payload: comment };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function seed(standin: GitHubStandin, i: number): void {
  const head = shaOf(i);
  const pull = fixture("pull_request.opened").pull_request;
  Object.assign(pull, { number: 500 + i, state: "open" });
  pull.head.sha = head;
  standin.state.pulls.set(500 + i, pull);
  standin.state.pullFiles.set(500 + i, [{ filename: NB, status: "added" }]);
  standin.state.compareFiles.set(`${BASE}...${head}`, [{ filename: NB, status: "added" }]);
  standin.state.contents.set(`${head}:${NB}`, notebook(`x = ${i}`));
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`bench:load: over its ${DEADLINE_MS / 60_000}-minute bound; stopping.`);
    process.exit(2);
  }, DEADLINE_MS);
  deadline.unref();
  const standin = await startGitHubStandin({ token: TOKEN });
  standin.state.appId = APP_ID;
  const storeDir = await mkdtemp(path.join(tmpdir(), "nbtrain-bench-load-"));
  standin.state.permissions.set("Codertocat", "write");
  // Room for every run, so each /train is admitted once.
  standin.state.config = "train:\n  limits:\n    max_concurrent_per_repo: 50\n    max_concurrent_per_pr: 5\n";
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const env = {
    APP_ID: String(APP_ID),
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: standin.host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "warn",
    LOG_FORMAT: "json",
    NODE_ENV: "production",
    NBTRAIN_COMPUTE: "local",
    NBTRAIN_LOCAL_CONCURRENCY: "1",
    NBTRAIN_JOB_SOURCE: "notebook",
    NBTRAIN_PYTHON: "/usr/bin/python3",
    NBTRAIN_STORE: `file://${path.join(storeDir, "store")}`,
  };
  const started = await Promise.allSettled(Array.from({ length: INSTANCES }, (_, i) => startInstance(env, path.join(storeDir, `instance-${i}`))));
  const instances = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    // Never leave a started instance behind.
    for (const instance of instances) instance.child.kill("SIGTERM");
    await standin.close();
    throw failed.reason;
  }
  const proxy = await startProxy(instances.map((instance) => instance.url));
  try {
    // Warm-up and the minimum: one pull_request event for a fresh commit, alone, on one instance
    // (twice, so the second counts without the installation token's first fetch).
    let minimumPerCommit = 0;
    let minimumPerTrain = 0;
    for (const w of [COMMITS, COMMITS + 1]) {
      seed(standin, w);
      let before = standin.requests.length;
      await deliver(instances[0]!.url, commitEvents(w)[1]!);
      minimumPerCommit = standin.requests.length - before;
      before = standin.requests.length;
      await deliver(instances[0]!.url, trainComment(w));
      minimumPerTrain = standin.requests.length - before;
    }
    const warmRequests = standin.requests.length;

    // Shots: a delivery to one URL, or the same delivery to every instance at the same instant.
    type Shot = { delivery: Delivery; to: "all" | "proxy" };
    const bursts: Shot[][] = Array.from({ length: COMMITS + REDELIVERIES }, () => []);
    for (let i = 0; i < COMMITS; i++) {
      seed(standin, i);
      const events = i < TRAINS ? [...commitEvents(i), trainComment(i)] : commitEvents(i);
      for (const delivery of events) bursts[i]!.push({ delivery, to: "all" });
      for (let r = 1; r <= REDELIVERIES; r++) for (const delivery of events) bursts[i + r]!.push({ delivery, to: "proxy" });
    }
    const planned = bursts.flat().reduce((sum, shot) => sum + (shot.to === "all" ? INSTANCES : 1), 0);
    let k = 0;
    for (let filled = planned; filled < DELIVERIES; filled++) {
      bursts[k % bursts.length]!.push({ delivery: noise(k % bursts.length, k), to: "proxy" });
      k++;
    }

    const acks: number[] = [];
    let sent = 0;
    const startedAt = performance.now();
    for (const burst of bursts) {
      await Promise.all(
        burst.flatMap((shot) => (shot.to === "all" ? instances.map((instance) => instance.url) : [proxy.url]).map((url) => deliver(url, shot.delivery).then((ms) => void acks.push(ms)))),
      );
      sent += burst.reduce((sum, shot) => sum + (shot.to === "all" ? INSTANCES : 1), 0);
    }
    const elapsed = performance.now() - startedAt;
    const calls = standin.requests.length - warmRequests;

    const runs = new Map<string, number>();
    for (const run of standin.state.checkRuns.values()) if (run.name === "nbtrain / notebooks") runs.set(run.head_sha, (runs.get(run.head_sha) ?? 0) + 1);
    let duplicateRuns = 0;
    let duplicateComments = 0;
    let missing = 0;
    for (let i = 0; i < COMMITS; i++) {
      const count = runs.get(shaOf(i)) ?? 0;
      duplicateRuns += Math.max(0, count - 1);
      const comments = (standin.state.comments.get(500 + i) ?? []).filter((comment) => comment.body.startsWith(MARKER)).length;
      duplicateComments += Math.max(0, comments - 1);
      if (count === 0 || comments === 0) missing++;
    }
    // Jobs: each /train's run id queued on the backends (one queue file per job), and check runs per run id.
    let duplicateJobs = 0;
    let trainsWithoutJob = 0;
    for (let i = 0; i < TRAINS; i++) {
      const runId = `c${90_000 + i}`;
      const queued = instances.filter((instance) => existsSync(path.join(instance.dataDir, "local/queue", `${runId}.json`))).length;
      const trainRuns = [...standin.state.checkRuns.values()].filter((run) => run.external_id === runId).length;
      duplicateJobs += Math.max(0, queued - 1) + Math.max(0, trainRuns - 1);
      if (queued === 0) trainsWithoutJob++;
    }
    const replies = [...standin.state.comments.entries()].flatMap(([pr, list]) => (pr >= 500 && pr < 500 + TRAINS ? list.filter((comment) => !comment.body.startsWith(MARKER)).map((comment) => comment.body) : []));
    const peaks = await Promise.all(instances.map((instance) => peakRssMiB(instance.child.pid!)));
    const sorted = [...acks].sort((a, b) => a - b);
    const minimum = minimumPerCommit * COMMITS + minimumPerTrain * TRAINS;

    console.log(`bench:load — ${INSTANCES} instances of ${path.relative(root, SERVER) || SERVER}, round-robin proxy, GitHub stand-in, shared file store (loopback)`);
    console.log(`deliveries: ${sent} in ${bursts.length} bursts over ${(elapsed / 1000).toFixed(1)} s (${COMMITS} commits × 3 events and ${TRAINS} /train, each to both instances at once, then redelivered ${REDELIVERIES}× through the proxy; ${k} ignored deliveries)`);
    console.log(`time to acknowledge: p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms; ${late} answered 202 "still processing" (Probot answers after the handlers; writes are throttled ~1 s apart per process)`);
    console.log(`peak memory (VmHWM): ${peaks.map((mib, i) => `instance ${i + 1} ${mib.toFixed(0)} MiB`).join(", ")}`);
    console.log(`GitHub calls: ${calls} for ${sent} deliveries = ${(calls / sent).toFixed(2)} per delivery; minimum ${minimum} (${minimumPerCommit} per commit: one pull_request event alone; ${minimumPerTrain} per /train alone; measured) = ${(minimum / sent).toFixed(2)} per delivery; ratio ${(calls / minimum).toFixed(2)}×`);
    console.log(`duplicate check runs: ${duplicateRuns}; duplicate sticky comments: ${duplicateComments}; commits missing a check run or comment: ${missing}`);
    console.log(`duplicate jobs: ${duplicateJobs} (${TRAINS} /train comments, each to both instances at once and redelivered ${REDELIVERIES}×; ${trainsWithoutJob} without a job)`);
    if (replies.length > 0) console.log(`/train replies (refusals): ${replies.length}; the first: ${replies[0]!.slice(0, 300).replace(/\s+/gu, " ")}`);
    if (trainsWithoutJob > 0) console.log(instances.map((instance, i) => `--- instance ${i + 1}\n${instance.output.split("\n").filter((line) => /train|error|warn/iu.test(line)).slice(-15).join("\n")}`).join("\n"));
    if (duplicateRuns > 0 || duplicateComments > 0 || missing > 0 || duplicateJobs > 0 || trainsWithoutJob > 0) process.exitCode = 1;
  } catch (error) {
    for (const [i, instance] of instances.entries()) console.error(`--- instance ${i + 1} (exit ${instance.child.exitCode ?? "running"})\n${instance.output.slice(-4000)}`);
    throw error;
  } finally {
    await proxy.close();
    for (const instance of instances) instance.child.kill("SIGTERM");
    await Promise.all(instances.map((instance) => (instance.child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => instance.child.once("exit", resolve)))));
    await standin.close();
    await rm(storeDir, { recursive: true, force: true });
    agent.destroy();
  }
}

await main();
