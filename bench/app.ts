/**
 * `npm run bench:app`: the GitHub App on a pull_request event with 1, 20 and 200 changed notebooks,
 * against GitHub mocked in-process with nock.
 *
 * For each case it prints:
 * - GitHub API calls made against the minimum the work needs (files pages + notebooks at head and
 *   base + config + check-run create/updates by annotation batch + comment find/create);
 * - handler time per event (less the time the mock spends generating notebooks), against a
 *   baseline measured in the same run: checkNotebook + summarizeChanges alone on the same bytes;
 * - peak memory, against a baseline measured in the same run: a 1-notebook event whose notebook is
 *   the largest of the 200. Memory bounded by the largest notebook means the 200 case stays near
 *   that baseline while the sum of all notebooks is many times larger.
 *
 * Each case runs in its own process so that peak RSS is its own. Retry and throttling are off so
 * the time is the app's own; in production the throttling plugin spaces writes 1 s apart, which the
 * output states as a lower bound.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { parseRepoConfig } from "../src/config/load-repo-config.js";
import { createApp } from "../src/app/create-app.js";
import { loadTemplates } from "../src/app/load-templates.js";
import { checkNotebook } from "../src/notebook/check-notebook.js";
import { summarizeChanges } from "../src/notebook/summarize-changes.js";

const MB = 1024 * 1024;
const API = "https://api.github.com";
const OWNER = "octo-org";
const REPO = "notebooks";
const HEAD = "1".repeat(40);
const BASE = "2".repeat(40);
const LARGEST = 24 * MB;

/** Size of notebook i of n: mostly small and medium, with a few large ones, the largest LARGEST. */
function sizeOf(i: number, n: number): number {
  if (n === 1) return 200 * 1024;
  if (i % 50 === 7) return LARGEST;
  if (i % 10 === 3) return 4 * MB;
  return 20 * 1024 + ((i * 7919) % 40) * 25 * 1024;
}

/** A notebook of about `bytes` bytes: code cells with stream outputs, some with an error output. */
function makeNotebook(i: number, bytes: number, edited: boolean): string {
  const cellCount = 12;
  const perCell = Math.max(16, Math.floor(bytes / cellCount));
  const line = `${"0123456789abcdef".repeat(4)}\n`;
  const cells = Array.from({ length: cellCount }, (_, c) => ({
    cell_type: "code",
    execution_count: c + 1,
    id: `n${i}-c${c}`,
    metadata: {},
    outputs:
      c === 5 && i % 4 === 0
        ? [{ output_type: "error", ename: "ValueError", evalue: "bad value", traceback: ["Traceback", "ValueError: bad value"] }]
        : [{ name: "stdout", output_type: "stream", text: line.repeat(Math.ceil(perCell / line.length)) }],
    source: [`result_${c} = step(${c}${edited && c === 2 ? " + 1" : ""})\n`, `print(result_${c})`],
  }));
  return JSON.stringify({ cells, metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" } }, nbformat: 4, nbformat_minor: 5 });
}

interface CaseResult {
  notebooks: number;
  totalBytes: number;
  largestBytes: number;
  calls: number;
  minimum: number;
  breakdown: Record<string, number>;
  writes: number;
  annotations: number;
  handlerMs: number;
  mockMs: number;
  checkOnlyMs: number;
  pureMs: number;
  peakRssMb: number;
  startRssMb: number;
  peakHeapMb: number;
}

async function runCase(n: number, largestOnly: boolean): Promise<CaseResult> {
  nock.disableNetConnect();
  const paths = Array.from({ length: n }, (_, i) => `notebooks/exp ${String(i).padStart(3, "0")}.ipynb`);
  const sizes = largestOnly ? [LARGEST] : paths.map((_, i) => sizeOf(i, n));
  const modified = (i: number): boolean => i % 2 === 0;
  const files = paths.map((filename, i) => ({ filename, status: modified(i) ? "modified" : "added", sha: "0", additions: 1, deletions: 0, changes: 1 }));

  const breakdown: Record<string, number> = {};
  let annotations = 0;
  const count = (kind: string): void => {
    breakdown[kind] = (breakdown[kind] ?? 0) + 1;
  };
  const scope = nock(API).persist();
  scope.on("request", (req: { method: string; path: string }, _interceptor: unknown, body: string) => {
    const p = req.path;
    if (p.includes("/access_tokens")) count("token");
    else if (p.includes("/pulls/")) count("files pages");
    else if (p.includes("nbtrain.yml")) count("config");
    else if (p.includes("/contents/")) count(p.includes(`ref=${BASE}`) ? "notebooks (base)" : "notebooks (head)");
    else if (p.includes("/check-runs") && req.method === "POST") count("check create");
    else if (p.includes("/check-runs")) {
      count("check updates");
      annotations += (JSON.parse(body) as { output?: { annotations?: unknown[] } }).output?.annotations?.length ?? 0;
    } else if (p.includes("/comments") && req.method === "GET") count("comment find");
    else if (p.includes("/comments")) count("comment write");
    else count(`other ${req.method} ${p}`);
  });
  scope.post(/\/app\/installations\/\d+\/access_tokens/u).reply(201, { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z" });
  const pageCount = Math.max(1, Math.ceil(n / 100));
  for (let page = 1; page <= pageCount; page++) {
    const url = `/repos/${OWNER}/${REPO}/pulls/2/files?per_page=100${page > 1 ? `&page=${page}` : ""}`;
    const next: Record<string, string> = page < pageCount ? { link: `<${API}/repos/${OWNER}/${REPO}/pulls/2/files?per_page=100&page=${page + 1}>; rel="next"` } : {};
    scope.get(url).reply(200, files.slice((page - 1) * 100, page * 100), next);
  }
  scope.get(`/repos/${OWNER}/${REPO}/contents/${encodeURIComponent(".github/nbtrain.yml")}`).reply(200, "include: ['**/*.ipynb']\n", { "content-type": "application/vnd.github.raw; charset=utf-8" });
  // Notebooks are generated when requested, so the mock holds none of them.
  let mockMs = 0;
  scope.get(new RegExp(`^/repos/${OWNER}/${REPO}/contents/notebooks`, "u")).reply((uri) => {
    const t = performance.now();
    const url = new URL(uri, API);
    const file = decodeURIComponent(url.pathname.split("/contents/")[1]!);
    const i = paths.indexOf(file);
    const edited = url.searchParams.get("ref") === HEAD;
    const body = makeNotebook(i, sizes[i]!, edited);
    mockMs += performance.now() - t;
    return [200, body, { "content-type": "application/vnd.github.raw; charset=utf-8" }];
  });
  scope.post(`/repos/${OWNER}/${REPO}/check-runs`).reply(201, { id: 1 });
  scope.patch(`/repos/${OWNER}/${REPO}/check-runs/1`).reply(200, {});
  scope.get(`/repos/${OWNER}/${REPO}/issues/2/comments?per_page=100`).reply(200, []);
  scope.post(`/repos/${OWNER}/${REPO}/issues/2/comments`).reply(201, { id: 9 });

  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const probot = new Probot({
    appId: 1,
    privateKey,
    log: pino({ level: "silent" }),
    Octokit: ProbotOctokit.defaults((options: Record<string, any>) => ({ ...options, retry: { enabled: false }, throttle: { ...options.throttle, enabled: false } })),
  });
  await probot.load(createApp({ checkNotebook, parseRepoConfig, templates: await loadTemplates() }));

  const payload = {
    action: "synchronize",
    number: 2,
    pull_request: { number: 2, head: { sha: HEAD, ref: "feature/x" }, base: { sha: BASE, ref: "main" }, state: "open" },
    repository: { name: REPO, owner: { login: OWNER, type: "Organization" }, full_name: `${OWNER}/${REPO}`, default_branch: "main" },
    sender: { login: "dev", type: "User" },
    installation: { id: 7 },
  };

  global.gc?.();
  const startRss = process.memoryUsage().rss;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakHeap = Math.max(peakHeap, usage.heapUsed + usage.arrayBuffers);
  }, 5);
  const started = performance.now();
  await probot.receive({ id: `bench-${n}`, name: "pull_request", payload: payload as never });
  const handlerMs = performance.now() - started;
  clearInterval(sampler);
  const usage = process.memoryUsage();
  peakHeap = Math.max(peakHeap, usage.heapUsed + usage.arrayBuffers);

  // Baselines: the pure work alone on the same bytes, generated one at a time: checkNotebook on
  // the head, and summarizeChanges against the base where the PR modified the notebook.
  let checkOnlyMs = 0;
  let pureMs = 0;
  for (let i = 0; i < n; i++) {
    const head = makeNotebook(i, sizes[i]!, true);
    const bytes = Buffer.from(head);
    const base = files[i]!.status === "modified" ? makeNotebook(i, sizes[i]!, false) : null;
    const t = performance.now();
    checkNotebook(paths[i]!, bytes);
    const checked = performance.now();
    summarizeChanges(base, head);
    checkOnlyMs += checked - t;
    pureMs += performance.now() - t;
  }

  const baseFetches = files.filter((f) => f.status === "modified").length;
  const minimum = pageCount + n + baseFetches + 1 + 1 + Math.max(1, Math.ceil(annotations / 50)) + 1 + 1;
  const calls = Object.entries(breakdown).filter(([kind]) => kind !== "token").reduce((sum, [, c]) => sum + c, 0);
  return {
    notebooks: n,
    totalBytes: sizes.reduce((a, b) => a + b, 0),
    largestBytes: Math.max(...sizes),
    calls,
    minimum,
    breakdown,
    writes: (breakdown["check create"] ?? 0) + (breakdown["check updates"] ?? 0) + (breakdown["comment write"] ?? 0),
    annotations,
    handlerMs,
    mockMs,
    checkOnlyMs,
    pureMs,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    startRssMb: startRss / MB,
    peakHeapMb: peakHeap / MB,
  };
}

function child(args: string[]): CaseResult {
  const script = fileURLToPath(import.meta.url);
  const result = spawnSync(process.execPath, ["--expose-gc", script, ...args], { encoding: "utf8", maxBuffer: 16 * MB });
  if (result.status !== 0) throw new Error(`bench case ${args.join(" ")} failed (${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as CaseResult;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf("--case");
  if (at !== -1) {
    const result = await runCase(Number(process.argv[at + 1]), process.argv.includes("--largest-only"));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const fmt = (x: number, digits = 1): string => x.toFixed(digits);
  console.log("nbtrain bench:app: pull_request event, GitHub mocked with nock, real checkNotebook, concurrency 8\n");
  const baseline = child(["--case", "1", "--largest-only"]);
  console.log(`baseline (memory): 1 notebook of ${fmt(baseline.largestBytes / MB)} MB (the largest below): peak RSS ${fmt(baseline.peakRssMb)} MB, start ${fmt(baseline.startRssMb)} MB\n`);
  const rows: string[] = [];
  for (const n of [1, 20, 200]) {
    const r = child(["--case", String(n)]);
    rows.push(
      [
        `${n} notebooks (${fmt(r.totalBytes / MB)} MB total, largest ${fmt(r.largestBytes / MB)} MB)`,
        `  API calls ${r.calls} vs minimum ${r.minimum} (ratio ${fmt(r.calls / r.minimum, 2)}) + 1 installation token; ${Object.entries(r.breakdown)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}`,
        `  annotations ${r.annotations} in ${r.breakdown["check updates"] ?? 0} update(s); writes ${r.writes} (production throttling spaces writes 1 s apart: ≥ ${r.writes - 1} s more)`,
        `  handler ${fmt(r.handlerMs, 0)} ms per event, of which ${fmt(r.mockMs, 0)} ms generating mock notebooks; app time ${fmt(r.handlerMs - r.mockMs, 0)} ms`,
        `    vs pure work alone (checkNotebook + summarizeChanges on the same bytes) ${fmt(r.pureMs, 0)} ms: ratio ${fmt((r.handlerMs - r.mockMs) / Math.max(1, r.pureMs), 2)}; checkNotebook alone ${fmt(r.checkOnlyMs, 0)} ms`,
        `  peak RSS ${fmt(r.peakRssMb)} MB (start ${fmt(r.startRssMb)} MB), peak heap+buffers ${fmt(r.peakHeapMb)} MB; vs largest-only baseline ${fmt(r.peakRssMb / baseline.peakRssMb, 2)}x; sum of notebooks / largest = ${fmt(r.totalBytes / r.largestBytes, 1)}x`,
      ].join("\n"),
    );
  }
  console.log(rows.join("\n\n"));
}

await main();
