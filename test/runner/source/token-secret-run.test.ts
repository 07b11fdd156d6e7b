import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { mockClient } from "aws-sdk-client-mock";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runnerMain } from "../../../src/runner/runner-main.js";
import { readJobTokenSecret } from "../../../src/runner/source/read-job-token-secret.js";
import { archiveEntries, makeTarball } from "../../support/make-tarball.js";

// The runner on AWS Batch: the job's environment names the secret that holds its token
// (NBTRAIN_GITHUB_TOKEN_SECRET); the runner reads it only while the source snapshot is not yet
// in the store, and the kernel never sees the token.
const API = "https://api.github.com";
const CODELOAD = "https://codeload.github.com";
const SHA = "9fceb02d0ae598e95dc970b74767f19372d61af8";
const TOP = `octo-vision-${SHA.slice(0, 7)}`;
const TOKEN = "ghs_JobTokenFromTheSecret0123456789abcdEF";
const SECRET = "nbtrain/job-token/run-1";
const REPO = path.resolve(import.meta.dirname, "../../fixtures/source/repo");
const PYTHON = "/usr/bin/python3";

const secretsManager = mockClient(SecretsManagerClient);
let dir: string;

beforeAll(() => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is needed for this test (with python3-nbclient and python3-ipykernel)`);
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/u);
});
afterAll(() => nock.enableNetConnect());
beforeEach(async () => {
  secretsManager.reset();
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-token-secret-"));
});
afterEach(async () => {
  nock.cleanAll();
  await rm(dir, { recursive: true, force: true });
});

async function attempt(attemptNumber: number): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString("utf8"));
        done();
      },
    });
  const notebook = JSON.parse(readFileSync(path.join(REPO, "notebooks/train.ipynb"), "utf8"));
  notebook.cells.push({ cell_type: "code", execution_count: null, id: "env-dump", metadata: {}, outputs: [], source: ["import os\n", "print(sorted(os.environ.items()))"] });
  const spec = {
    notebook: { name: "train.ipynb", base64: Buffer.from(JSON.stringify(notebook)).toString("base64") },
    store: `file://${path.join(dir, "store")}`,
    owner: "octo",
    repo: "vision",
    run_id: "run-1",
    attempt: attemptNumber,
    work_dir: path.join(dir, `work-${attemptNumber}`),
    source: { kind: "github", sha: SHA, path: "notebooks/train.ipynb" },
  };
  const specFile = path.join(dir, `spec-${attemptNumber}.json`);
  await writeFile(specFile, JSON.stringify(spec));
  const code = await runnerMain([specFile], {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, NBTRAIN_PYTHON: PYTHON, AWS_REGION: "eu-west-1", NBTRAIN_GITHUB_TOKEN_SECRET: SECRET },
    cwd: dir,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

describe("the job token from Secrets Manager", () => {
  it("reads the secret on the first attempt, downloads with it, and a later attempt restores from the store without reading it", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ Name: SECRET, SecretString: TOKEN });
    const tarball = makeTarball({ comment: SHA, entries: archiveEntries(REPO, TOP) });
    nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get(`/repos/octo/vision/tarball/${SHA}`)
      .reply(302, "", { location: `${CODELOAD}/octo/vision/legacy.tar.gz/${SHA}` });
    nock(CODELOAD, { badheaders: ["authorization"] }).get(`/octo/vision/legacy.tar.gz/${SHA}`).reply(200, tarball);

    const first = await attempt(1);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: SECRET }]);
    expect(nock.pendingMocks()).toEqual([]);

    // The run ended and the bot deleted the secret; a restart of the job must not need it.
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error("gone"), { name: "ResourceNotFoundException" }));
    const second = await attempt(2);
    expect(second.code).toBe(0);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);

    const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
      .map((name) => path.join(dir, name))
      .filter((file) => statSync(file).isFile());
    const holders = files.filter((file) => readFileSync(file).includes(TOKEN));
    expect(holders).toEqual([]);
    expect(first.stdout + second.stdout + second.stderr).not.toContain(TOKEN);
  }, 180_000);

  it("says what is wrong when the secret cannot be read, never printing a token", async () => {
    secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error("gone"), { name: "ResourceNotFoundException" }));
    await expect(readJobTokenSecret(SECRET, { region: "eu-west-1" })).rejects.toThrow(
      "cannot read the job's token from the secret nbtrain/job-token/run-1: it no longer exists (the run ended, or its token was already deleted). The job role needs secretsmanager:GetSecretValue on nbtrain/job-token/*.",
    );
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).resolves({ Name: SECRET });
    await expect(readJobTokenSecret(SECRET, { region: "eu-west-1" })).rejects.toThrow("the secret nbtrain/job-token/run-1 holds no token; comment /train again.");
  });
});
