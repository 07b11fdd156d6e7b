import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRunPageToken } from "../../src/run-page/run-page-token.js";
import { launchChromium } from "../support/chromium.js";
import { makeTarball } from "../support/make-tarball.js";
import { loadOpenApiContract, type OpenApiContract } from "../support/openapi-contract.js";
import { waitFor as waitUntil } from "../support/wait-for.js";
import { startTrainServer, trainComment, type TrainServer } from "./train-server.js";
import { startTrainStandin, type TrainCheckRun, type TrainStandin } from "./train-standin.js";

// The run page in a real browser: Debian's Chromium (headless) against the real server process,
// while a real run of the numpy example goes on the local backend with a real Jupyter kernel.

const root = path.resolve(import.meta.dirname, "../..");
const SECRET = "run-page-e2e-secret";
const PAGE_KEY = "run-page-e2e-key-0123456789abcdef0123456789";
const TOKEN = "ghs_RunPageE2eInstallationToken0123456789";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const NB = "notebooks/spiral.ipynb";
const OWNER = "Codertocat";
const REPO = "Hello-World";

let standin: TrainStandin;
let contract: OpenApiContract;
let server: TrainServer;
let dataDir = "";
const artifacts = mkdtempSync(path.join(tmpdir(), "nbtrain-run-page-artifacts-"));

function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 120_000): Promise<T> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: 100, context: () => server?.output().slice(-6000) ?? "" });
}

/** The page's globals, for functions Playwright runs in the browser (the tests compile without the DOM types). */
interface MiniElement {
  getAttribute(name: string): string | null;
}
type BrowserGlobals = { document: { body: MiniElement; getElementById(id: string): MiniElement | null } };

function runOf(runId: string): TrainCheckRun | undefined {
  return [...standin.state.checkRuns.values()].find((run) => run.external_id === runId);
}

function pageUrl(runId: string, token: string, artifact = ""): string {
  return `${server.url}/nbtrain/runs/${OWNER}/${REPO}/${runId}${artifact ? `/${artifact}` : ""}?t=${token}`;
}

describe("the run page in headless Chromium, on a real local run", () => {
  beforeAll(async () => {
    execFileSync("/usr/bin/python3", ["-c", "import nbclient, ipykernel, nbformat, numpy"], { stdio: "pipe" });
    if (!existsSync(path.join(root, "dist/src/runner/job-entry.js"))) throw new Error("dist/ is not built: run the tests through vitest, whose global setup builds it");
    contract = loadOpenApiContract();
    const pull = JSON.parse(readFileSync(path.join(root, "test/fixtures/webhooks/pull_request.opened.json"), "utf8")).pull_request;
    pull.number = 1;
    pull.head.sha = HEAD;
    standin = await startTrainStandin({ contract, token: TOKEN, pull });
    standin.state.permissions.set("Codertocat", "write");
    const notebook = readFileSync(path.join(root, "templates/notebooks/train-spiral-numpy.ipynb"), "utf8");
    standin.state.contents.set(`${HEAD}:${NB}`, notebook);
    const top = `${OWNER}-${REPO}-${HEAD.slice(0, 7)}`;
    standin.state.archives.set(HEAD, makeTarball({ comment: HEAD, entries: [{ path: `${top}/`, type: "dir" }, { path: `${top}/notebooks/`, type: "dir" }, { path: `${top}/${NB}`, content: notebook }] }));
    dataDir = mkdtempSync(path.join(tmpdir(), "nbtrain-e2e-page-"));
    // The public URL is the server's own loopback address, known only once the port is chosen: the
    // server reads it from NBTRAIN_PUBLIC_URL, which startTrainServer cannot know in advance, so the
    // page link is checked by path and token below.
    server = await startTrainServer({
      secret: SECRET,
      githubHost: standin.host,
      dataDir,
      env: { NBTRAIN_PAGE_KEY: PAGE_KEY, NBTRAIN_PUBLIC_URL: "http://run-page.test", NBTRAIN_PROGRESS_INTERVAL_SECONDS: "1", NBTRAIN_LOCAL_CONCURRENCY: "2" },
    });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await standin?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("loads while the run goes, the chart gets new points, the check run shows progress, and it works without JavaScript", async () => {
    const runId = "c3001";
    expect((await server.deliver("issue_comment", "page-3001", trainComment(3001, `/train ${NB} epochs=40 epoch_delay=0.35 hidden=16`))).status).toBe(200);

    // The check run links to the page, with a token for this run.
    const details = await waitFor("the check run's details_url", () => runOf(runId)?.details_url);
    const link = new URL(details);
    expect(`${link.origin}${link.pathname}`).toBe(`http://run-page.test/nbtrain/runs/${OWNER}/${REPO}/${runId}`);
    const token = link.searchParams.get("t")!;
    expect(token).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/u);

    // Wait until the run has a few epochs of metrics, then open the page in the browser.
    await waitFor("live metrics in the store", () => {
      const file = path.join(dataDir, `runs/${OWNER}/${REPO}/${runId}/metrics.live.jsonl`);
      return existsSync(file) && readFileSync(file, "utf8").split("\n").filter(Boolean).length >= 3;
    });
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
      page.on("requestfailed", (request) => errors.push(`${request.url()}: ${request.failure()?.errorText}`));
      page.on("response", (answer) => answer.status() >= 400 && errors.push(`${answer.url()}: ${answer.status()}`));
      const started = Date.now();
      const response = await page.goto(pageUrl(runId, token));
      expect(response?.status()).toBe(200);
      expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
      expect(response?.headers()["referrer-policy"]).toBe("no-referrer");
      // uPlot replaces the SVG charts once the first data.json arrives.
      await page.waitForSelector("#charts[data-uplot='1'] .uchart canvas", { timeout: 60_000 });
      const firstChartMs = Date.now() - started;
      const first = Number(await page.getAttribute("#charts", "data-points"));
      expect(first).toBeGreaterThanOrEqual(3);
      expect(await page.textContent("body")).toContain("Running attempt 1");
      // The chart gets new points while the run goes: polling, not a reload.
      await page.waitForFunction((before) => Number((globalThis as unknown as BrowserGlobals).document.getElementById("charts")?.getAttribute("data-points")) > before, first, { timeout: 60_000 });
      expect(await page.locator(".uchart[data-metric]").count()).toBeGreaterThanOrEqual(2);
      const shot = path.join(artifacts, "run-page-live.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      console.log(`run page screenshot: ${shot}; first chart after ${firstChartMs} ms`);
      expect(errors).toEqual([]);

      // While it runs, the check run's summary names the cell and the latest metrics.
      const progress = await waitFor("a progress summary on the check run", () => runOf(runId)?.outputs.find((output) => /^Running attempt 1: cell \d+ of \d+/u.test(output.title ?? "") && /\| loss \|/u.test(output.summary ?? "")));
      expect(progress.summary).toContain("[Live run page](http://run-page.test/nbtrain/runs/");
      expect(runOf(runId)!.status).toBe("in_progress");

      // Without JavaScript: the server-rendered table and inline SVG charts carry the essentials.
      const noJs = await launchChromium({ javaScriptEnabled: false });
      try {
        const plain = await noJs.context.newPage();
        expect((await plain.goto(pageUrl(runId, token)))?.status()).toBe(200);
        expect(await plain.locator("svg.chart[data-metric='loss'] polyline").count()).toBe(1);
        expect(await plain.locator("#metrics table td").first().textContent()).toBeTruthy();
        expect(await plain.textContent("#state")).toMatch(/Running attempt 1|Succeeded/u);
        expect(await plain.locator("a", { hasText: "Pull request" }).getAttribute("href")).toBe(`http://${standin.host}/${OWNER}/${REPO}/pull/1`);
        await plain.screenshot({ path: path.join(artifacts, "run-page-no-js.png"), fullPage: true });
      } finally {
        await noJs.close();
      }

      // The run ends: the page says so and stops polling; the output notebook comes from the page.
      await waitFor("the check run to complete", () => runOf(runId)?.status === "completed", 150_000);
      await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).document.body.getAttribute("data-state") === "completed", undefined, { timeout: 30_000 });
      expect(await page.textContent("#state")).toMatch(/^Succeeded \(attempt 1\)/u);
      // The check run's last output is the final report, not a late progress summary, and its
      // links go through the page rather than to paths on the bot's machine.
      const report = runOf(runId)!.output!;
      expect(report.title).not.toMatch(/^Running attempt/u);
      expect(report.summary).toMatch(new RegExp(`- Executed notebook: <http://run-page\\.test/nbtrain/runs/${OWNER}/${REPO}/${runId}/output\\.ipynb\\?t=[0-9a-z]+\\.[A-Za-z0-9_-]{22}>`, "u"));
      expect(report.summary).not.toContain(dataDir);
      await page.reload();
      const output = await fetch(pageUrl(runId, token, "output.ipynb"));
      expect(output.status).toBe(200);
      expect(output.headers.get("content-disposition")).toBe(`attachment; filename="${runId}-output.ipynb"`);
      expect(((await output.json()) as { nbformat: number }).nbformat).toBe(4);
      const metrics = await (await fetch(pageUrl(runId, token, "metrics.jsonl"))).text();
      expect(metrics.trim().split("\n")).toHaveLength(40);
      await page.screenshot({ path: path.join(artifacts, "run-page-done.png"), fullPage: true });
    } finally {
      await browser.close();
    }
    expect(server.output()).not.toContain(TOKEN);
    expect(contract.violations()).toEqual([]);
  }, 300_000);

  it("answers the same 404 for a forged, an expired and another run's token, and for a run that does not exist", async () => {
    const runId = "c3001";
    // Another run of the same PR (one at a time per PR), for the "another run's token" case.
    expect((await server.deliver("issue_comment", "page-3002", trainComment(3002, `/train ${NB} epochs=2 hidden=8`))).status).toBe(200);
    const other = await waitFor("the other run's link", () => runOf("c3002")?.details_url);
    const otherToken = new URL(other).searchParams.get("t")!;
    const key = Buffer.from(PAGE_KEY);
    const valid = signRunPageToken(key, { owner: OWNER, repo: REPO, runId }, new Date(Date.now() + 60_000));
    const expired = signRunPageToken(key, { owner: OWNER, repo: REPO, runId }, new Date(Date.now() - 1_000));
    const forged = signRunPageToken(Buffer.from("another-deployment-key-0123456789abcdef"), { owner: OWNER, repo: REPO, runId }, new Date(Date.now() + 60_000));
    const missing = signRunPageToken(key, { owner: OWNER, repo: REPO, runId: "c9999" }, new Date(Date.now() + 60_000));
    expect((await fetch(pageUrl(runId, valid))).status).toBe(200);
    expect((await fetch(pageUrl("c3002", otherToken))).status).toBe(200);

    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const answers: Array<{ status: number | undefined; text: string }> = [];
      for (const url of [pageUrl(runId, forged), pageUrl(runId, expired), pageUrl(runId, otherToken), pageUrl(runId, ""), pageUrl("c9999", missing), pageUrl(runId, forged, "output.ipynb")]) {
        const response = await page.goto(url);
        answers.push({ status: response?.status(), text: (await page.textContent("body")) ?? "" });
      }
      expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404, 404]);
      // Word for word the same, so nobody learns whether a run exists.
      expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
      expect(answers[0]!.text).not.toContain(runId);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
