import { gunzipSync } from "node:zlib";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRunPageHandler, type PageResponse, type RunPageHandler } from "../../src/run-page/create-run-page-handler.js";
import { signRunPageToken } from "../../src/run-page/run-page-token.js";
import { KEY, makeRunStore, OWNER, REPO, RUN } from "./run-page-fixture.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const token = (runId = RUN, expires = new Date(NOW.getTime() + 60_000)) => signRunPageToken(KEY, { owner: OWNER, repo: REPO, runId }, expires);
const base = `/nbtrain/runs/${OWNER}/${REPO}/${RUN}`;

let fixture: Awaited<ReturnType<typeof makeRunStore>>;
let handler: RunPageHandler;

async function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<PageResponse & { text: string }> {
  const response = await handler({ method, url, headers });
  if (!response) throw new Error(`no answer for ${url}`);
  let bytes: Buffer;
  if (Buffer.isBuffer(response.body)) bytes = response.body;
  else {
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
    bytes = Buffer.concat(chunks);
  }
  const text = response.headers["content-encoding"] === "gzip" ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
  return { ...response, text };
}

beforeAll(async () => {
  fixture = await makeRunStore();
  handler = createRunPageHandler({
    store: fixture.store,
    settings: { key: KEY, publicUrl: "https://bot.example.com", ttlSeconds: 3600 },
    assets: async () => fixture.assets,
    clock: () => NOW,
    status: async () => ({ status: "succeeded", attempt: 2, logs: { kind: "file", path: "/var/log/run.log" } }),
    readLogTail: async () => "partial first line\nepoch 1 loss 0.9\nAuthorization: token ghs_LeakedInstallationToken0123456789\nepoch 3 loss 0.25\n",
  });
});
afterAll(() => fixture.cleanup());

describe("the run page handler", () => {
  it("renders the run without JavaScript: state, attempts, metrics, an SVG per metric, links, the redacted log; all escaped", async () => {
    fixture.reads.length = 0;
    const page = await get(`${base}?t=${token()}`);
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("private, no-store");
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    expect(page.text).toContain("Succeeded (attempt 2) after 4m");
    expect(page.text).toContain("attempt 1: spot capacity reclaimed");
    expect(page.text).toContain("attempt 2 (resumed from checkpoint #3)");
    expect(page.text).toMatch(/<td>loss<\/td><td class="n">0\.25<\/td>/u);
    expect(page.text).toContain('<svg class="chart" role="img" aria-label="loss by epoch"');
    expect(page.text).toContain('data-points="3"');
    expect(page.text).toContain(`href="${base}/output.ipynb?t=${token()}"`);
    expect(page.text).toContain(`href="https://colab.research.google.com/github/${OWNER}/${REPO}/blob/0123456789abcdef0123456789abcdef01234567/nb/%3Cscript%3Ealert%281%29%3C/script%3E.ipynb"`);
    expect(page.text).toContain(`href="https://github.com/${OWNER}/${REPO}/pull/7"`);
    // A notebook name and a metric value cannot inject markup.
    expect(page.text).not.toContain("<script>alert(1)</script>");
    expect(page.text).toContain("nb/&lt;script&gt;alert(1)&lt;/script&gt;.ipynb");
    expect(page.text).toContain("&lt;b&gt;bold&lt;/b&gt;");
    // The log tail is redacted as the check run's is, and starts at a whole line.
    expect(page.text).toContain("Authorization: token [REDACTED]");
    expect(page.text).not.toContain("ghs_Leaked");
    expect(page.text).not.toContain("partial first line");
    expect(page.text).not.toContain("/var/log/run.log");
    // Every store read stayed inside the run's prefix.
    expect(fixture.reads.length).toBeGreaterThan(0);
    expect(fixture.reads.filter((key) => !key.startsWith(`runs/${OWNER}/${REPO}/${RUN}/`))).toEqual([]);
  });

  it("serves the run's artifacts from its prefix, and data.json from a point on", async () => {
    const notebook = await get(`${base}/output.ipynb?t=${token()}`);
    expect(notebook.status).toBe(200);
    expect(notebook.headers["content-disposition"]).toBe(`attachment; filename="${RUN}-output.ipynb"`);
    expect(JSON.parse(notebook.text).nbformat).toBe(4);
    expect((await get(`${base}/metrics.jsonl?t=${token()}`)).text).toContain('{"epoch":3,"loss":0.25');
    expect(JSON.parse((await get(`${base}/checkpoints.json?t=${token()}`)).text).sequence).toBe(5);
    const data = JSON.parse((await get(`${base}/data.json?t=${token()}&since=2`)).text);
    expect(data).toMatchObject({ state: "completed", live: false, chart: { xLabel: "epoch", from: 2, total: 3, x: [3] } });
    expect(data.chart.metrics).toEqual([{ name: "loss", y: [0.25] }, { name: "accuracy", y: [0.9] }]);
    const head = await get(`${base}/output.ipynb?t=${token()}`, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
    const zipped = await get(`${base}?t=${token()}`, { "accept-encoding": "gzip, br" });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.text).toContain("<!doctype html>");
  });

  it("answers one 404 for a forged, expired, missing or another run's token and for a run that does not exist, reading nothing first", async () => {
    const forged = signRunPageToken(Buffer.from("some-other-deployment-key-0123456789ab"), { owner: OWNER, repo: REPO, runId: RUN }, new Date(NOW.getTime() + 60_000));
    const expired = token(RUN, new Date(NOW.getTime() - 1));
    const other = token("c202");
    const urls = [`${base}?t=${forged}`, `${base}?t=${expired}`, `${base}?t=${other}`, base, `${base}/output.ipynb?t=${other}`, `${base}/output.ipynb?t=${forged}`];
    fixture.reads.length = 0;
    const answers = await Promise.all(urls.map((url) => get(url)));
    expect(answers.map((answer) => answer.status)).toEqual(urls.map(() => 404));
    expect(fixture.reads).toEqual([]);
    const missing = await get(`/nbtrain/runs/${OWNER}/${REPO}/c999?t=${token("c999")}`);
    expect(missing.status).toBe(404);
    expect(new Set([...answers, missing].map((answer) => answer.text)).size).toBe(1);
    expect(new Set([...answers, missing].map((answer) => JSON.stringify(answer.headers))).size).toBe(1);
  });

  it("gives bad input a 4xx and never reads outside the run's prefix", async () => {
    const t = token();
    fixture.reads.length = 0;
    const cases: Array<[string, number, string?]> = [
      [`/nbtrain/runs/${OWNER}/${REPO}/..?t=${t}`, 404],
      [`/nbtrain/runs/${OWNER}/${REPO}/%2e%2e?t=${t}`, 404],
      [`${base}/../c202/output.ipynb?t=${t}`, 404],
      [`${base}/..%2fc202%2foutput.ipynb?t=${t}`, 404],
      [`${base}/%2e%2e/%2e%2e/%2e%2e/secrets.json?t=${t}`, 404],
      [`/nbtrain/runs/${OWNER}/${REPO}/c1..2?t=${t}`, 404],
      [`/nbtrain/runs/${OWNER}/${REPO}/bad%20id?t=${t}`, 404],
      [`/nbtrain/runs/..%2f..%2f/${REPO}/${RUN}?t=${t}`, 404],
      [`${base}/request.json?t=${t}`, 404],
      [`${base}/secrets.json?t=${t}`, 404],
      [`${base}/input.ipynb?t=${t}`, 404],
      [`${base}?t=${t}&q=${"x".repeat(5000)}`, 414],
      [`${base}?t=${t}&debug=1`, 400, "Unknown query parameter"],
      [`${base}/data.json?t=${t}&since=-1`, 400, "since must be"],
      [`${base}/data.json?t=${t}&since=1e9`, 400],
      [`${base}?t=${t}&t=${t}&t=${t}`, 400],
      [`/nbtrain/assets/../../package.json`, 404],
      [`/nbtrain/assets/%2e%2e%2fpackage.json`, 404],
    ];
    for (const [url, status, words] of cases) {
      const answer = await get(url);
      expect([url, answer.status]).toEqual([url, status]);
      if (words) expect(answer.text).toContain(words);
    }
    const post = await get(`${base}?t=${t}`, {}, "POST");
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
    expect(fixture.reads).toEqual([]);
    expect(await handler({ method: "GET", url: "/api/github/webhooks", headers: {} })).toBeNull();
  });

  it("serves uPlot and the page script from its own routes, versioned uPlot files cached for long", async () => {
    const page = await get(`${base}?t=${token()}`);
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/gu)].map((match) => match[1]!);
    expect(scripts).toHaveLength(2);
    for (const src of scripts) expect(src.startsWith("/nbtrain/assets/")).toBe(true);
    const uplot = await get(scripts[0]!, { "accept-encoding": "gzip" });
    expect(uplot.status).toBe(200);
    expect(uplot.headers["cache-control"]).toContain("immutable");
    expect(uplot.text).toContain("uPlot");
    expect((await get("/nbtrain/assets/run-page.js")).text).toContain("data.json");
    expect((await get("/nbtrain/assets/nothing.js")).status).toBe(404);
  });
});
