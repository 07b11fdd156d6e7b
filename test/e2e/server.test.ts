import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STICKY_MARKER } from "../../src/report/render-pr-comment.js";
import { startGitHubStandin, type GitHubStandin } from "../support/github-standin.js";
import { loadOpenApiContract, type OpenApiContract } from "../support/openapi-contract.js";
import { freePort, waitFor as waitUntil } from "../support/wait-for.js";

// The real server process (`npm start`, Probot's Node server) against a GitHub stand-in on
// loopback, fed signed webhooks over HTTP.

const root = path.resolve(import.meta.dirname, "../..");
const SECRET = "e2e-webhook-secret";
const TOKEN = "ghs_E2eInstallationToken0123456789abcdefXY";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";

let standin: GitHubStandin;
let contract: OpenApiContract;
let server: ChildProcess;
let appUrl: string;
let output = "";

/** Waits as this file's server needs: up to 30_000 ms by default, showing the server's output on a timeout. */
function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: 50, context: () => output.slice(-4000) });
}

/** Starts `npm start` with the given environment and waits until it listens. */
async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  output = "";
  // A process group of its own, so stopping it stops npm's node child too.
  const child = spawn("npm", ["start", "--silent"], {
    cwd: root,
    // Notebook checks only: no training backend, so nothing is written under .nbtrain/.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", HOST: "127.0.0.1", PORT: String(port), NBTRAIN_COMPUTE: "off", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const url = `http://127.0.0.1:${port}`;
  await waitFor("the server to listen", () => /Listening on/u.test(output) || child.exitCode !== null);
  if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
  return { child, url };
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    process.kill(-child.pid!, "SIGTERM");
  });
}

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

async function deliver(name: string, payload: unknown, id: string, signature?: string): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(`${appUrl}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": name, "x-github-delivery": id, "x-hub-signature-256": signature ?? sign(body) },
    body,
  });
}

function prPayload(): Record<string, any> {
  return JSON.parse(readFileSync(path.join(root, "test/fixtures/webhooks/pull_request.opened.json"), "utf8"));
}

function notebook(sources: string[]): string {
  return `${JSON.stringify(
    {
      cells: sources.map((source, i) => ({
        cell_type: "code",
        execution_count: null,
        id: `c${i}`,
        metadata: {},
        outputs: [],
        source: [source],
      })),
      metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" }, language_info: { name: "python" } },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  )}\n`;
}

describe("npm start, end to end", () => {
  beforeAll(async () => {
    // test/global-setup.ts builds what `npm start` runs, once for the whole suite.
    if (!existsSync(path.join(root, "dist/src/app/start-server.js"))) throw new Error("dist/ is not built: run the tests through vitest, whose global setup builds it");
    contract = loadOpenApiContract();
    standin = await startGitHubStandin({ contract, token: TOKEN });
    const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const started = await startServer({
      APP_ID: "4242",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: standin.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "trace",
      LOG_FORMAT: "json",
      NODE_ENV: "production",
    });
    server = started.child;
    appUrl = started.url;
  }, 120_000);

  afterAll(async () => {
    await stop(server);
    await standin?.close();
  });

  it("checks a pull request: check run with annotations, one sticky comment, and no second comment on redelivery", async () => {
    const notebooks = {
      "notebooks/clean.ipynb": notebook(["print('hello')"]),
      "notebooks/broken #1.ipynb": '{"cells": [ {"cell_type": "code",, }\n',
    };
    standin.state.pullFiles.set(2, [
      { filename: "notebooks/clean.ipynb", status: "modified" },
      { filename: "notebooks/broken #1.ipynb", status: "added" },
      { filename: "README.md", status: "modified" },
    ]);
    for (const [file, text] of Object.entries(notebooks)) standin.state.contents.set(`${HEAD}:${file}`, text);
    standin.state.contents.set(`${BASE}:notebooks/clean.ipynb`, notebook(["print('hi')"]));
    // One 502 on the first files page: the retry plugin, on in production, must absorb it.
    standin.state.failOnce.set("/repos/Codertocat/Hello-World/pulls/2/files", 502);

    const response = await deliver("pull_request", prPayload(), "e2e-delivery-1");
    expect(response.status).toBe(200);
    const run = await waitFor("the check run to complete", () => [...standin.state.checkRuns.values()].find((r) => r.status === "completed"));
    const comment = await waitFor("the sticky comment", () => standin.state.comments.get(2)?.[0]);

    expect(run).toMatchObject({ name: "nbtrain / notebooks", head_sha: HEAD, conclusion: "failure" });
    expect(run.output?.summary).toContain("| notebooks/broken \\#1\\.ipynb | ❌ failing |");
    expect(run.output?.summary).toContain("| notebooks/clean\\.ipynb | ✅ ok |");
    expect(run.annotations).toContainEqual(expect.objectContaining({ path: "notebooks/broken #1.ipynb", annotation_level: "failure", title: "invalid-json", start_line: 1 }));
    expect(comment.body.startsWith(STICKY_MARKER)).toBe(true);
    expect(comment.body).toContain(`https://colab.research.google.com/github/Codertocat/Hello-World/blob/${HEAD}/notebooks/broken%20%231.ipynb`);
    expect(comment.body).toContain(`http://${standin.host}/Codertocat/Hello-World/blob/${HEAD}/notebooks/clean.ipynb`);
    expect(comment.body).toContain("**source changed**: 1 source edited");
    expect(standin.requests.filter((r) => r.path.startsWith("/repos/Codertocat/Hello-World/pulls/2/files")).map((r) => r.status)).toEqual([502, 200]);
    const reads = standin.requests.filter((r) => r.path.includes("/contents/notebooks"));
    expect(reads.map((r) => [r.path, r.headers.accept]).sort()).toEqual([
      [`/repos/Codertocat/Hello-World/contents/notebooks%2Fbroken%20%231.ipynb?ref=${HEAD}`, "application/vnd.github.raw"],
      [`/repos/Codertocat/Hello-World/contents/notebooks%2Fclean.ipynb?ref=${HEAD}`, "application/vnd.github.raw"],
      [`/repos/Codertocat/Hello-World/contents/notebooks%2Fclean.ipynb?ref=${BASE}`, "application/vnd.github.raw"],
    ]);

    // Redelivery of the same event: the commit keeps its one check run, and the PR its one comment.
    const again = await deliver("pull_request", prPayload(), "e2e-delivery-1");
    expect(again.status).toBe(200);
    await waitFor("the second comment lookup to finish", () => standin.requests.filter((r) => r.path.startsWith("/repos/Codertocat/Hello-World/issues/2/comments")).length >= 3);
    await waitFor("the redelivery to be logged as handled", () => /another delivery already claimed this check run/u.test(output));
    expect(standin.state.checkRuns.size).toBe(1);
    expect(standin.state.comments.get(2)).toHaveLength(1);

    expect(contract.violations()).toEqual([]);
    expect(standin.requests.every((r) => r.headers.authorization === undefined || ["token", "bearer"].includes(r.headers.authorization.toLowerCase()))).toBe(true);
    expect(output).not.toContain(TOKEN);
    expect(output).toContain("e2e-delivery-1");
  }, 90_000);

  it("rejects a webhook with a bad signature and changes nothing", async () => {
    const before = standin.requests.length;
    const runs = standin.state.checkRuns.size;
    const body = prPayload();
    const response = await deliver("pull_request", body, "e2e-forged", sign(JSON.stringify(body), "not-the-secret"));
    expect(response.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(standin.requests.length).toBe(before);
    expect(standin.state.checkRuns.size).toBe(runs);
  });
});

describe("npm start without credentials", () => {
  it("serves Probot's manifest flow, registering the app from app.yml", async () => {
    const { child, url } = await startServer({ NO_SMEE_SETUP: "true", WEBHOOK_PROXY_URL: "" });
    try {
      const page = await fetch(`${url}/probot`);
      expect(page.status).toBe(200);
      const html = (await page.text()).replaceAll("&quot;", '"').replaceAll("&#34;", '"');
      for (const permission of ['"checks":"write"', '"contents":"read"', '"pull_requests":"write"', '"issues":"write"', '"metadata":"read"']) {
        expect(html).toContain(permission);
      }
      expect(html).toContain('"default_events":["push","pull_request","issue_comment","check_run","check_suite"]');
    } finally {
      await stop(child);
    }
  }, 60_000);
});
