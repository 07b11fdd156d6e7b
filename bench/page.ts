// npm run bench:page: the run page's weight, its time to first chart on loopback, and the page
// server's memory with 50 pages open on a running run.
//
// A real run of the numpy example goes on in the real runner process (kernel, live progress into a
// file store) while the page server (bench/lib/page-server.ts, the handler `npm start` mounts) serves
// it. Baselines measured in the same run: the uncompressed weight; the page's own DOMContentLoaded
// time; the server's memory with no page open. The 50 open pages are 50 clients that each load the
// page and its assets and then poll data.json every 2 s, as the page's script does (50 Chromium tabs
// would measure the browser rather than the server); one real Chromium tab stays open meanwhile.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { FileStore } from "../src/storage/file-store.js";
import { signRunPageToken } from "../src/run-page/run-page-token.js";
import { newRunRequest } from "../src/runs/run-request.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const entrypoint = path.resolve(here, "../src/runner/entrypoint.js");
const notebook = path.join(root, "templates", "notebooks", "train-spiral-numpy.ipynb");
const KEY = "bench-page-key-0123456789abcdef0123456789";
const OWNER = "bench";
const REPO = "page";
const RUN = "bench-page-1";
const PAGES = Number(process.env.BENCH_PAGES ?? 50);
const HOLD_SECONDS = Number(process.env.BENCH_HOLD_SECONDS ?? 30);
const LOADS = 5;

function rssKiB(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, "utf8").then((text) => Number(/VmRSS:\s+(\d+)/u.exec(text)![1]));
}

function lines(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before answering: ${out}`)));
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const dir = await mkdtemp(path.join(tmpdir(), "nbtrain-bench-page-"));
const storeDir = path.join(dir, "store");
const store = new FileStore(storeDir);
await store.put(
  `runs/${OWNER}/${REPO}/${RUN}/request.json`,
  Buffer.from(
    JSON.stringify(
      newRunRequest(
        {
          runId: RUN, commentId: 1, owner: OWNER, repo: REPO, pullNumber: 1, headSha: "0".repeat(40), baseRef: "main", notebook: "train-spiral-numpy.ipynb", parameters: {}, requestedBy: "bench", installationId: 1,
          resources: { gpuType: "none", gpus: 1, vcpus: 1, memoryMiB: 1024, timeoutSeconds: 3600, spot: false, queue: "local", jobDefinition: "local" },
        },
        new Date().toISOString(),
      ),
    ),
  ),
);
const runner = spawn(process.execPath, [entrypoint], {
  env: { ...process.env, NBTRAIN_RUN_SPEC: JSON.stringify({ notebook: { path: notebook }, parameters: { epochs: 100000, epoch_delay: 0.25, hidden: 16 }, store: `file://${storeDir}`, owner: OWNER, repo: REPO, run_id: RUN, limits: { sync_interval_seconds: 1 }, work_dir: path.join(dir, "work") }) },
  stdio: ["ignore", "ignore", "ignore"],
});
const server = spawn(process.execPath, [path.join(here, "lib/page-server.js")], { env: { ...process.env, BENCH_STORE_DIR: storeDir, BENCH_PAGE_KEY: KEY }, stdio: ["ignore", "pipe", "inherit"] });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const { port } = JSON.parse(await lines(server)) as { port: number };
  const token = signRunPageToken(Buffer.from(KEY), { owner: OWNER, repo: REPO, runId: RUN }, new Date(Date.now() + 3_600_000));
  const base = `http://127.0.0.1:${port}`;
  const pageUrl = `${base}/nbtrain/runs/${OWNER}/${REPO}/${RUN}?t=${token}`;
  await until("the run to have 5 live metric points", async () => {
    const data = (await (await fetch(`${base}/nbtrain/runs/${OWNER}/${REPO}/${RUN}/data.json?t=${token}`)).json()) as { chart: { total: number } };
    return data.chart.total >= 5;
  });
  const idleKiB = await rssKiB(server.pid!);

  // 1. Weight: the HTML and everything it loads, gzip'd as served, against the uncompressed bytes.
  const html = await fetch(pageUrl, { headers: { "accept-encoding": "gzip" } });
  const htmlText = await html.text(); // fetch decodes; the transfer size is content-length
  const sizes: Array<{ name: string; gzip: number; raw: number }> = [{ name: "page.html", gzip: Number(html.headers.get("content-length")), raw: Buffer.byteLength(htmlText) }];
  for (const match of htmlText.matchAll(/(?:src|href)="(\/nbtrain\/assets\/[^"]+)"/gu)) {
    const raw = Buffer.from(await (await fetch(`${base}${match[1]}`)).arrayBuffer());
    const zipped = await fetch(`${base}${match[1]}`, { headers: { "accept-encoding": "gzip" } });
    sizes.push({ name: match[1]!.split("/").pop()!, gzip: Number(zipped.headers.get("content-length")), raw: raw.length });
  }
  const totalGzip = sizes.reduce((sum, s) => sum + s.gzip, 0);
  const totalRaw = sizes.reduce((sum, s) => sum + s.raw, 0);

  // 2. Time to first chart (uPlot canvas drawn from data.json) against DOMContentLoaded, in Chromium.
  const firstChart: number[] = [];
  const domReady: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const started = Date.now();
    await page.goto(pageUrl, { waitUntil: "domcontentloaded" });
    domReady.push(Date.now() - started);
    await page.waitForSelector("#charts[data-uplot='1'] .uchart canvas");
    firstChart.push(Date.now() - started);
    await context.close();
  }

  // 3. Memory with PAGES pages open: each loads the page and its assets, then polls as the script does.
  const tab = await (await browser.newContext()).newPage();
  await tab.goto(pageUrl);
  let running = true;
  let polls = 0;
  let failures = 0;
  const client = async (index: number) => {
    await new Promise((resolve) => setTimeout(resolve, (index * 2000) / PAGES));
    const page = await (await fetch(pageUrl, { headers: { "accept-encoding": "gzip" } })).text();
    for (const match of page.matchAll(/(?:src|href)="(\/nbtrain\/assets\/[^"]+)"/gu)) await (await fetch(`${base}${match[1]}`, { headers: { "accept-encoding": "gzip" } })).arrayBuffer();
    let since = 0;
    while (running) {
      const response = await fetch(`${base}/nbtrain/runs/${OWNER}/${REPO}/${RUN}/data.json?t=${token}&since=${since}`, { headers: { "accept-encoding": "gzip" } });
      if (response.ok) since = ((await response.json()) as { chart: { total: number } }).chart.total;
      else failures++;
      polls++;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  const clients = Array.from({ length: PAGES }, (_, i) => client(i));
  let peakKiB = 0;
  const deadline = Date.now() + HOLD_SECONDS * 1000;
  while (Date.now() < deadline) {
    peakKiB = Math.max(peakKiB, await rssKiB(server.pid!));
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  running = false;
  await Promise.all(clients);
  const points = ((await (await fetch(`${base}/nbtrain/runs/${OWNER}/${REPO}/${RUN}/data.json?t=${token}`)).json()) as { chart: { total: number } }).chart.total;

  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log("run page weight (as served, gzip):");
  for (const s of sizes) console.log(`  ${s.name.padEnd(24)} ${kib(s.gzip).padStart(10)}  (raw ${kib(s.raw)})`);
  console.log(`  total                    ${kib(totalGzip).padStart(10)}  (raw ${kib(totalRaw)}; ratio gzip/raw ${(totalGzip / totalRaw).toFixed(2)})`);
  console.log(`time to first chart on loopback (Chromium, ${LOADS} loads): median ${median(firstChart)} ms [${firstChart.join(", ")}]; DOMContentLoaded median ${median(domReady)} ms; ratio ${(median(firstChart) / median(domReady)).toFixed(2)}`);
  console.log(`page server memory: idle ${(idleKiB / 1024).toFixed(1)} MiB RSS; peak with ${PAGES} pages open for ${HOLD_SECONDS} s ${(peakKiB / 1024).toFixed(1)} MiB RSS; ratio ${(peakKiB / idleKiB).toFixed(2)}; ${polls} polls, ${failures} failed; the run had ${points} points`);
} finally {
  await browser.close();
  runner.kill("SIGTERM");
  server.kill("SIGTERM");
  await Promise.all([runner, server].map((child) => (child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", resolve)))));
  await rm(dir, { recursive: true, force: true });
}
