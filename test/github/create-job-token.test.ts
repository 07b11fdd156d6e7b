import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { gunzipSync } from "node:zlib";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { JOB_TOKEN_VARIABLE, MemoryJobSecrets } from "../../src/compute/job-secrets.js";
import { runnerEnvironment } from "../../src/compute/runner-environment.js";
import { createJobToken, JobTokenError } from "../../src/github/create-job-token.js";
import { runJob } from "../../src/runner/run-job.js";
import { JOB_TOKEN_ENV } from "../../src/runner/source/source-spec.js";
import { archiveEntries, makeTarball } from "../support/make-tarball.js";
import { contentsPath, FIXED_NOW, HEAD, mockInstallationToken, mockNoConfig, RAW_HEADERS, useTestHarness } from "../support/test-app.js";
import { commentPayload, permission, pullRequest, RecordingCompute, trainDeps } from "../support/train-harness.js";

const harness = useTestHarness();
const JOB_TOKEN = "ghs_JobTokenReadOnly0123456789abcdefGHIJ";
const target = { installationId: 2, owner: "Codertocat", repo: "Hello-World", apiUrl: "https://api.github.com" };
const granted = {
  token: JOB_TOKEN,
  expires_at: "2026-11-27T13:00:00Z",
  permissions: { contents: "read", metadata: "read" },
  repository_selection: "selected",
  repositories: [{ id: 186853002, name: "Hello-World", full_name: "Codertocat/Hello-World" }],
};

describe("createJobToken", () => {
  it("asks for one repository and contents: read only, signed with the App's JWT, and hides the value", async () => {
    let body: unknown;
    harness
      .github()
      .matchHeader("authorization", /^bearer eyJ/iu)
      .post("/app/installations/2/access_tokens", (sent: unknown) => {
        body = sent;
        return true;
      })
      .reply(201, granted);
    // The installation's own Octokit works too: the auth strategy signs this route with the JWT.
    const octokit = await harness.probot.auth(2);
    const token = await createJobToken(octokit, target);

    expect(body).toEqual({ repositories: ["Hello-World"], permissions: { contents: "read" } });
    expect(harness.contract.checked.map((request) => `${request.method} ${request.template}`)).toContain("POST /app/installations/{installation_id}/access_tokens");
    expect(token.reveal()).toBe(JOB_TOKEN);
    expect(token.expiresAt).toBe("2026-11-27T13:00:00Z");
    for (const shown of [JSON.stringify(token), String(token), inspect(token), `${token}`]) expect(shown).not.toContain(JOB_TOKEN);
    expect(harness.logs.join("")).not.toContain(JOB_TOKEN);
  });

  it("turns a refusal for lack of Contents permission into a reason for the check run", async () => {
    harness
      .github()
      .post("/app/installations/2/access_tokens")
      .reply(422, { message: "The permissions requested are not granted to this installation.", documentation_url: "https://docs.github.com/rest" });
    const error = await createJobToken(await harness.probot.auth(), target).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobTokenError);
    expect((error as JobTokenError).status).toBe(422);
    expect((error as JobTokenError).reason).toMatch(/needs the Contents: read permission on Codertocat\/Hello-World/u);
    expect((error as JobTokenError).reason).toContain("The permissions requested are not granted to this installation.");
  });

  it("says so when the installation or repository is gone", async () => {
    harness.github().post("/app/installations/2/access_tokens").reply(404, { message: "Not Found" });
    const error = (await createJobToken(await harness.probot.auth(), target).catch((caught: unknown) => caught)) as JobTokenError;
    expect(error.reason).toMatch(/no longer exists/u);
  });

  it("refuses a grant broader than contents: read on the one repository", async () => {
    harness
      .github()
      .post("/app/installations/2/access_tokens")
      .reply(201, { ...granted, permissions: { contents: "write", metadata: "read" } })
      .post("/app/installations/2/access_tokens")
      .reply(201, { ...granted, repositories: [...granted.repositories, { id: 1, name: "Other", full_name: "Codertocat/Other" }] });
    const app = await harness.probot.auth();
    expect(((await createJobToken(app, target).catch((caught: unknown) => caught)) as JobTokenError).reason).toMatch(/instead of contents: read alone/u);
    expect(((await createJobToken(app, target).catch((caught: unknown) => caught)) as JobTokenError).reason).toMatch(/instead of Hello-World alone/u);
  });
});

// The /train flow with job tokens on: the token is asked for before submit, reaches the job only
// through the backend's secrets, and the job's run leaves it nowhere.
const repoPath = "/repos/Codertocat/Hello-World";
const COMMENT_ID = 492700400;
const RUN_ID = `c${COMMENT_ID}`;
const NB = "notebooks/train.ipynb";
const REPO = path.resolve(import.meta.dirname, "../fixtures/source/repo");
const NB_TEXT = readFileSync(path.join(REPO, NB), "utf8");
const PYTHON = "/usr/bin/python3";

describe("/train with the repository's tree (job tokens on)", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function load() {
    const compute = new RecordingCompute();
    const train = trainDeps(compute);
    const secrets = new MemoryJobSecrets(() => FIXED_NOW);
    cleanups.push(train.dispose);
    await harness.load({ train: { ...train, secrets } });
    return { compute, train, secrets };
  }

  /** The requests of an authorized `/train` up to the check run, as GitHub answers them; `sent` collects every body. */
  function mockUpToCheckRun(sent: unknown[]) {
    const scope = harness.github();
    mockInstallationToken(scope);
    mockNoConfig(scope);
    return scope
      .get(`${repoPath}/collaborators/Codertocat/permission`)
      .reply(200, permission("write"))
      .get(`${repoPath}/pulls/1`)
      .reply(200, pullRequest())
      .get(contentsPath(NB, HEAD))
      .reply(200, NB_TEXT, RAW_HEADERS)
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, (body) => sent.push(body) > 0)
      .reply(201, { id: 1, node_id: "R", content: "eyes", created_at: FIXED_NOW.toISOString(), user: null })
      .post(`${repoPath}/check-runs`, (body) => sent.push(body) > 0)
      .reply(201, { id: 555 });
  }

  const receive = () => harness.probot.receive({ id: "delivery-source", name: "issue_comment", payload: commentPayload(`/train ${NB}`) as never });

  it("requests the token before submit, hands it to the secrets only, and a full local run leaves it in no log, comment, check run, result or store object", async () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} with nbclient and ipykernel is needed for this test`);
    const { compute, train, secrets } = await load();
    const sent: unknown[] = [];
    let tokenBody: unknown;
    mockUpToCheckRun(sent)
      .post("/app/installations/2/access_tokens", (body) => {
        tokenBody = body;
        return true;
      })
      .reply(201, granted)
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, (body) => sent.push(body) > 0)
      .reply(201, { id: 2, node_id: "R", content: "rocket", created_at: FIXED_NOW.toISOString(), user: null });
    await receive();

    expect(tokenBody).toEqual({ repositories: ["Hello-World"], permissions: { contents: "read" } });
    expect(compute.submitted).toHaveLength(1);
    const job = compute.submitted[0]!;
    expect(JSON.stringify(job)).not.toContain(JOB_TOKEN);
    const jobSecrets = secrets.environmentFor(RUN_ID);
    expect(jobSecrets[JOB_TOKEN_VARIABLE]).toBe(JOB_TOKEN);
    expect(JOB_TOKEN_VARIABLE).toBe(JOB_TOKEN_ENV);

    // The job, as the local backend starts it: NBTRAIN_* ids plus the secret in its process env.
    const top = `Codertocat-Hello-World-${HEAD.slice(0, 7)}`;
    nock("https://api.github.com", { reqheaders: { authorization: `Bearer ${JOB_TOKEN}` } })
      .get(`${repoPath}/tarball/${HEAD}`)
      .reply(302, "", { location: `https://codeload.github.com/Codertocat/Hello-World/legacy.tar.gz/${HEAD}?token=SHORT` });
    nock("https://codeload.github.com", { badheaders: ["authorization"] })
      .get(`/Codertocat/Hello-World/legacy.tar.gz/${HEAD}`)
      .query(true)
      .reply(200, makeTarball({ comment: HEAD, entries: archiveEntries(REPO, top) }));
    const cwd = await mkdtemp(path.join(tmpdir(), "nbtrain-job-"));
    cleanups.push(() => rm(cwd, { recursive: true, force: true }));
    let log = "";
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString("utf8");
        done();
      },
    });
    const code = await runJob([], {
      stdout: sink,
      stderr: sink,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, NBTRAIN_PYTHON: PYTHON, ...runnerEnvironment(job), NBTRAIN_ATTEMPT: "1", NBTRAIN_JOB_SOURCE: "archive", ...jobSecrets },
      cwd,
      signal: new AbortController().signal,
    });
    expect(code, log).toBe(0);
    const run = path.join(train.root, "runs", "Codertocat", "Hello-World", RUN_ID);
    expect(readFileSync(path.join(run, "outputs", "summary.txt"), "utf8")).toBe("3 10.0 notebooks");
    expect(JSON.parse(readFileSync(path.join(run, "result.json"), "utf8")).status).toBe("completed");

    const haystacks = [log, harness.logs.join(""), JSON.stringify(sent), JSON.stringify(harness.contract.checked.map((request) => request.body))];
    for (const file of readdirSync(train.root, { recursive: true, encoding: "utf8" }).map((name) => path.join(train.root, name))) {
      if (!statSync(file).isFile()) continue;
      const bytes = readFileSync(file);
      haystacks.push(bytes.toString("latin1"), ...(file.endsWith(".gz") ? [gunzipSync(bytes).toString("latin1")] : []));
    }
    expect(haystacks.some((text) => text.includes("source.tar.gz") || text.includes("nbtrain-result/1"))).toBe(true);
    for (const text of haystacks) expect(text).not.toContain(JOB_TOKEN);
  });

  it("fails the run before submit, with GitHub's reason on the check run, when the token is refused", async () => {
    const { compute } = await load();
    const sent: unknown[] = [];
    const failed: any[] = [];
    const replies: string[] = [];
    mockUpToCheckRun(sent)
      .post("/app/installations/2/access_tokens", (body: any) => body.permissions?.contents === "read")
      .reply(422, { message: "The permissions requested are not granted to this installation.", documentation_url: "https://docs.github.com/rest" })
      .patch(`${repoPath}/check-runs/555`, (body) => failed.push(body) > 0)
      .reply(200, { id: 555 })
      .post(`${repoPath}/issues/comments/${COMMENT_ID}/reactions`, (body: any) => body.content === "confused")
      .reply(201, { id: 3, node_id: "R", content: "confused", created_at: FIXED_NOW.toISOString(), user: null })
      .post(`${repoPath}/issues/1/comments`, (body: any) => replies.push(body.body) > 0)
      .reply(201, { id: 1 });
    await receive();

    expect(compute.submitted).toEqual([]);
    expect(failed).toEqual([expect.objectContaining({ status: "completed", conclusion: "failure" })]);
    expect(failed[0].output.summary).toMatch(/needs the Contents: read permission on Codertocat\/Hello-World/u);
    expect(replies[0]).toMatch(/could not be started: .*Contents: read/u);
  });
});

describe("MemoryJobSecrets", () => {
  it("hands a run's token to its attempts until shortly before it expires, then nothing", async () => {
    let now = new Date("2026-11-27T12:00:00Z");
    const secrets = new MemoryJobSecrets(() => now);
    const { JobToken } = await import("../../src/github/create-job-token.js");
    await secrets.put("c1", new JobToken(JOB_TOKEN, "2026-11-27T13:00:00Z", "https://api.github.com"));
    expect(secrets.environmentFor("c1")).toEqual({ NBTRAIN_GITHUB_TOKEN: JOB_TOKEN, NBTRAIN_GITHUB_API_URL: "https://api.github.com" });
    expect(secrets.environmentFor("c2")).toEqual({});
    now = new Date("2026-11-27T12:56:00Z");
    expect(secrets.environmentFor("c1")).toEqual({});
  });
});

describe("loadTrainDeps with NBTRAIN_JOB_SOURCE", () => {
  it("keeps job tokens in memory on the local backend when archive is chosen, the default; notebook opts out", async () => {
    const { loadTrainDeps } = await import("../../src/app/load-train-deps.js");
    const dataDir = await mkdtemp(path.join(tmpdir(), "nbtrain-deps-"));
    try {
      const archive = await loadTrainDeps({ NBTRAIN_DATA_DIR: dataDir, NBTRAIN_JOB_SOURCE: "archive" }, dataDir, () => {});
      expect(archive?.secrets).toBeInstanceOf(MemoryJobSecrets);
      const byDefault = await loadTrainDeps({ NBTRAIN_DATA_DIR: dataDir }, dataDir, () => {});
      expect(byDefault?.secrets).toBeInstanceOf(MemoryJobSecrets);
      const plain = await loadTrainDeps({ NBTRAIN_DATA_DIR: dataDir, NBTRAIN_JOB_SOURCE: "notebook" }, dataDir, () => {});
      expect(plain?.secrets).toBeUndefined();
      await expect(loadTrainDeps({ NBTRAIN_DATA_DIR: dataDir, NBTRAIN_JOB_SOURCE: "tarball" }, dataDir, () => {})).rejects.toThrow(/NBTRAIN_JOB_SOURCE/u);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
