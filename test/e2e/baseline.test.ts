import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveBaselineRunId } from "../../src/commands/derive-run-id.js";
import { makeTarball } from "../support/make-tarball.js";
import { loadOpenApiContract, type OpenApiContract } from "../support/openapi-contract.js";
import { waitFor as waitUntil } from "../support/wait-for.js";
import { startTrainServer, trainComment, type TrainServer } from "./train-server.js";
import { startTrainStandin, type TrainCheckRun, type TrainStandin } from "./train-standin.js";

// Baselines end to end: the real server, signed webhooks, GitHub on loopback, real runs of the
// numpy example on a real kernel. A push to the default branch trains the baseline of its commit;
// PR runs compare with the merge base's baseline (or say there is none); a fork PR's success
// changes nothing that later PRs are compared with.

const root = path.resolve(import.meta.dirname, "../..");
const SECRET = "baseline-e2e-secret";
const TOKEN = "ghs_BaselineE2eInstallationToken012345678";
const OWNER = "Codertocat";
const REPO = "Hello-World";
const NB = "notebooks/spiral.ipynb";
const M0 = "1000000000000000000000000000000000000000"; // an old default-branch commit, no baseline
const M1 = "2111111111111111111111111111111111111111"; // the pushed commit: its baseline is trained
const M2 = "3222222222222222222222222222222222222222"; // a later default-branch commit without one
const PR1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"; // merge base M1
const PR2 = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"; // merge base M0: nothing at or before it
const PR3 = "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"; // a fork's PR, merge base M2 (nearest earlier: M1)
const CONFIG = "train:\n  forks: allow\n  baseline:\n    - notebook: \"notebooks/*.ipynb\"\n      parameters: { epochs: 3, hidden: 8 }\n";

let standin: TrainStandin;
let contract: OpenApiContract;
let server: TrainServer;
let dataDir = "";

function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 150_000): Promise<T> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: 100, context: () => server?.output().slice(-6000) ?? "" });
}
const runOf = (runId: string): TrainCheckRun | undefined => [...standin.state.checkRuns.values()].find((run) => run.external_id === runId);
const completed = (runId: string) => waitFor(`run ${runId} to complete`, () => (runOf(runId)?.status === "completed" ? runOf(runId) : undefined));

function pull(number: number, head: string, fork = false): Record<string, unknown> {
  const base = JSON.parse(readFileSync(path.join(root, "test/fixtures/webhooks/pull_request.opened.json"), "utf8")).pull_request;
  base.number = number;
  base.head.sha = head;
  if (fork) base.head.repo = { ...base.head.repo, full_name: "forker/Hello-World", fork: true, owner: { login: "forker" } };
  return base;
}

function comment(id: number, body: string, pr: number): Record<string, unknown> {
  const payload = trainComment(id, body) as { issue: { number: number } };
  payload.issue.number = pr;
  return payload;
}

describe("baselines of the default branch", () => {
  beforeAll(async () => {
    execFileSync("/usr/bin/python3", ["-c", "import nbclient, ipykernel, nbformat, numpy"], { stdio: "pipe" });
    if (!existsSync(path.join(root, "dist/src/runner/job-entry.js"))) throw new Error("dist/ is not built: run the tests through vitest, whose global setup builds it");
    contract = loadOpenApiContract();
    standin = await startTrainStandin({ contract, token: TOKEN, pull: pull(1, PR1) });
    standin.state.permissions.set("Codertocat", "admin");
    const notebook = readFileSync(path.join(root, "templates/notebooks/train-spiral-numpy.ipynb"), "utf8");
    standin.state.contents.set(`null:.github/nbtrain.yml`, CONFIG);
    for (const sha of [M1, PR1, PR2, PR3]) {
      standin.state.contents.set(`${sha}:${NB}`, notebook);
      const top = `${OWNER}-${REPO}-${sha.slice(0, 7)}`;
      standin.state.archives.set(sha, makeTarball({ comment: sha, entries: [{ path: `${top}/`, type: "dir" }, { path: `${top}/notebooks/`, type: "dir" }, { path: `${top}/${NB}`, content: notebook }] }));
    }
    standin.state.pulls.set(1, pull(1, PR1));
    standin.state.pulls.set(2, pull(2, PR2));
    standin.state.pulls.set(3, pull(3, PR3, true));
    standin.state.mergeBases.set(PR1, M1);
    standin.state.mergeBases.set(PR2, M0);
    standin.state.mergeBases.set(PR3, M2);
    standin.state.history.set(M0, [M0]);
    standin.state.history.set(M1, [M1, M0]);
    standin.state.history.set(M2, [M2, M1, M0]);
    dataDir = mkdtempSync(path.join(tmpdir(), "nbtrain-e2e-baseline-"));
    server = await startTrainServer({ secret: SECRET, githubHost: standin.host, dataDir, env: { NBTRAIN_PAGE_KEY: "baseline-e2e-page-key-0123456789abcdef0123", NBTRAIN_PUBLIC_URL: "http://bot.test" } });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await standin?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("a push to the default branch trains the commit's baseline; a PR's /train shows deltas against it and names the commit", async () => {
    const push = JSON.parse(readFileSync(path.join(root, "test/fixtures/webhooks/push.json"), "utf8"));
    Object.assign(push, { ref: "refs/heads/master", before: M0, after: M1 });
    push.commits = [{ ...push.commits[0], id: M1, added: [], removed: [], modified: [NB, "README.md"] }];
    push.head_commit = push.commits[0];
    // A push to another branch trains nothing.
    expect((await server.deliver("push", "push-feature", { ...push, ref: "refs/heads/feature" })).status).toBe(200);
    expect((await server.deliver("push", "push-m1", push)).status).toBe(200);
    const baselineRun = deriveBaselineRunId(M1, NB);
    const base = await completed(baselineRun);
    expect(base).toMatchObject({ head_sha: M1, conclusion: "success" });
    expect(base.output!.summary).toContain(`Recorded as the baseline of \`master\` at \`${M1}\`.`);
    expect(base.output!.summary).toContain("| epochs | 3 |");
    // Its run page belongs to the commit, not to a PR.
    const basePage = new URL(base.details_url!);
    const baseHtml = await (await fetch(`${server.url}${basePage.pathname}${basePage.search}`)).text();
    expect(baseHtml).toContain(`This run is the baseline of master at ${M1}`);
    expect(baseHtml).toContain(`href="http://${standin.host}/${OWNER}/${REPO}/commit/${M1}"`);
    // One baseline run in all: the feature-branch push trained nothing, and no PR comment was touched.
    expect([...standin.state.checkRuns.values()].filter((run) => run.name.startsWith("nbtrain / train:"))).toHaveLength(1);
    expect(standin.state.comments).toEqual([]);
    const recorded = readdirSync(path.join(dataDir, "baselines", OWNER, REPO, "commits"), { recursive: true }).map(String).filter((file) => file.endsWith(".json"));
    expect(recorded.map((file) => path.basename(file))).toEqual([`${M1}.json`]);

    // PR 1's merge base is M1.
    expect((await server.deliver("issue_comment", "pr1-a", comment(4101, `/train ${NB} epochs=4 hidden=8`, 1))).status).toBe(200);
    const run = await completed("c4101");
    expect(run.conclusion).toBe("success");
    const summary = run.output!.summary!;
    expect(summary).toContain("| Metric | Value | Baseline | Δ vs master at `2111111` |");
    expect(summary).toMatch(/\| epochs \| 4 \| 3 \| \+1 \(\+33%\) \|/u);
    expect(summary).toContain(`Compared with the merge base: \`${M1}\` on \`master\`.`);
    const sticky = await waitFor("the sticky line with deltas", () => standin.state.comments.find((c) => c.body.includes("<!-- nbtrain:run:c4101 -->✅ **succeeded**")));
    expect(sticky.body).toMatch(/epoch 4 \(\+1 \(\+33%\)\), loss [\d.]+ \([−+±][\d.]+( \([−+][\d.]+%\))?\)/u);
    // The run page shows the same comparison.
    const page = new URL(run.details_url!);
    const html = await (await fetch(`${server.url}${page.pathname}${page.search}`)).text();
    expect(html).toContain(`Compared with the merge base: <code>${M1}</code> on master.`);
    expect(html).toContain("<th>Baseline <code>2111111</code></th><th>Δ</th>");
    expect(summary).toContain("- Run page (chart, log, links): <http://bot.test/nbtrain/runs/");
    expect(summary).not.toContain(dataDir);
  }, 400_000);

  it("a PR whose merge base has no baseline at or before it says so and offers /train baseline", async () => {
    expect((await server.deliver("issue_comment", "pr2-a", comment(4201, `/train ${NB} epochs=2 hidden=8`, 2))).status).toBe(200);
    const run = await completed("c4201");
    expect(run.conclusion).toBe("success");
    expect(run.output!.summary).toContain("No baseline of this notebook on `master` at the merge base `1000000` or in the 100 commits before it.");
    expect(run.output!.summary).toContain("`/train baseline`");
    expect(run.output!.summary).not.toContain("Δ vs");

    // A writer may not make a baseline; a maintainer's /train baseline trains one at the merge base, M0.
    standin.state.permissions.set("Codertocat", "write");
    expect((await server.deliver("issue_comment", "pr2-b", comment(4202, "/train baseline", 2))).status).toBe(200);
    await waitFor("the refusal", () => standin.state.comments.find((c) => c.body.includes("needs **maintain** permission")));
    standin.state.permissions.set("Codertocat", "admin");
    standin.state.contents.set(`${M0}:${NB}`, readFileSync(path.join(root, "templates/notebooks/train-spiral-numpy.ipynb"), "utf8"));
    const top = `${OWNER}-${REPO}-${M0.slice(0, 7)}`;
    standin.state.archives.set(M0, makeTarball({ comment: M0, entries: [{ path: `${top}/`, type: "dir" }, { path: `${top}/notebooks/`, type: "dir" }, { path: `${top}/${NB}`, content: standin.state.contents.get(`${M0}:${NB}`)! }] }));
    expect((await server.deliver("issue_comment", "pr2-c", comment(4203, `/train baseline ${NB}`, 2))).status).toBe(200);
    const made = await completed(deriveBaselineRunId(M0, NB));
    expect(made).toMatchObject({ head_sha: M0, conclusion: "success" });
    expect(standin.state.comments.some((c) => c.body.includes(`Training the baseline of \`${NB}\` at the merge base \`1000000\` of \`master\` with the parameters \`train.baseline\` gives it`))).toBe(true);
    expect((await server.deliver("issue_comment", "pr2-d", comment(4204, `/train ${NB} epochs=2 hidden=8`, 2))).status).toBe(200);
    const after = await completed("c4204");
    expect(after.output!.summary).toContain(`Compared with the merge base: \`${M0}\` on \`master\`.`);
  }, 300_000);

  it("a fork PR's successful run compares with the nearest earlier baseline and writes none: the next PR's deltas are unchanged", async () => {
    expect((await server.deliver("issue_comment", "pr3-a", comment(4301, `/train ${NB} epochs=9 hidden=8`, 3))).status).toBe(200);
    const fork = await completed("c4301");
    expect(fork.conclusion).toBe("success");
    expect(fork.output!.summary).toContain(`Compared with the nearest earlier baseline (the merge base has none): \`${M1}\` on \`master\`.`);
    // Still the two baselines the default branch made (M1 by a push, M0 by /train baseline): the fork's success recorded nothing.
    const recorded = readdirSync(path.join(dataDir, "baselines", OWNER, REPO), { recursive: true }).map(String).filter((file) => file.endsWith(".json"));
    expect(recorded.map((file) => path.basename(file)).sort()).toEqual([`${M0}.json`, `${M1}.json`]);

    expect((await server.deliver("issue_comment", "pr1-b", comment(4102, `/train ${NB} epochs=4 hidden=8`, 1))).status).toBe(200);
    const again = await completed("c4102");
    expect(again.output!.summary).toContain("| Metric | Value | Baseline | Δ vs master at `2111111` |");
    expect(again.output!.summary).toMatch(/\| epochs \| 4 \| 3 \| \+1 \(\+33%\) \|/u);
    expect(contract.violations()).toEqual([]);
    expect(server.output()).not.toContain(TOKEN);
  }, 400_000);

  it("a push that changes .github/nbtrain.yml trains every listed notebook of the commit's tree, and no other", async () => {
    const M3 = "4333333333333333333333333333333333333333";
    const other = "notebooks/other.ipynb";
    const notebook = readFileSync(path.join(root, "templates/notebooks/train-spiral-numpy.ipynb"), "utf8");
    standin.state.trees.set(M3, ["README.md", ".github/nbtrain.yml", NB, other, "scratch/unlisted.ipynb"]);
    for (const file of [NB, other]) standin.state.contents.set(`${M3}:${file}`, notebook);
    const top = `${OWNER}-${REPO}-${M3.slice(0, 7)}`;
    standin.state.archives.set(M3, makeTarball({ comment: M3, entries: [{ path: `${top}/`, type: "dir" }, { path: `${top}/notebooks/`, type: "dir" }, { path: `${top}/${NB}`, content: notebook }, { path: `${top}/${other}`, content: notebook }] }));
    const push = JSON.parse(readFileSync(path.join(root, "test/fixtures/webhooks/push.json"), "utf8"));
    Object.assign(push, { ref: "refs/heads/master", before: M2, after: M3 });
    push.commits = [{ ...push.commits[0], id: M3, added: [], removed: [], modified: [".github/nbtrain.yml"] }];
    push.head_commit = push.commits[0];
    expect((await server.deliver("push", "push-m3", push)).status).toBe(200);
    const runs = await Promise.all([NB, other].map((file) => completed(deriveBaselineRunId(M3, file))));
    expect(runs.map((run) => [run.head_sha, run.conclusion])).toEqual([[M3, "success"], [M3, "success"]]);
    expect([...standin.state.checkRuns.values()].filter((run) => run.head_sha === M3 && run.name.startsWith("nbtrain / train:"))).toHaveLength(2);
    // Redelivering the push trains nothing more.
    expect((await server.deliver("push", "push-m3", push)).status).toBe(200);
    await waitFor("the redelivery to be handled", () => /already submitted for this commit/u.test(server.output()));
    expect([...standin.state.checkRuns.values()].filter((run) => run.head_sha === M3 && run.name.startsWith("nbtrain / train:"))).toHaveLength(2);
  }, 300_000);
});
