import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { gunzipSync } from "node:zlib";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runnerMain } from "../../../src/runner/runner-main.js";
import { archiveEntries, makeTarball, type TarEntry } from "../../support/make-tarball.js";

// A full run on a real kernel (/usr/bin/python3 has nbclient and ipykernel) over a repository
// tarball served the way GitHub serves it: the API answers 302, codeload sends the bytes.
const API = "https://api.github.com";
const CODELOAD = "https://codeload.github.com";
const SHA = "9fceb02d0ae598e95dc970b74767f19372d61af8";
const TOP = `octo-vision-${SHA.slice(0, 7)}`;
const TOKEN = "ghs_JobTokenForTheFullRun0123456789abcdEF";
const REPO = path.resolve(import.meta.dirname, "../../fixtures/source/repo");
const PYTHON = "/usr/bin/python3";

let dir: string;
let unmatched: string[];
const onNoMatch = (request: { method?: string; host?: string; path?: string; options?: { host?: string; path?: string } }) => {
  unmatched.push(`${request.method ?? ""} ${request.host ?? request.options?.host ?? ""}${request.path ?? request.options?.path ?? ""}`);
};

beforeAll(() => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is needed for this test (with python3-nbclient and python3-ipykernel)`);
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/u);
  nock.emitter.on("no match", onNoMatch);
});
afterAll(() => {
  nock.emitter.removeListener("no match", onNoMatch);
  nock.enableNetConnect();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-source-run-"));
  unmatched = [];
});
afterEach(async () => {
  nock.cleanAll();
  await rm(dir, { recursive: true, force: true });
});

/** The fixture notebook, plus a cell that prints the kernel's whole environment (the grep below must not find the token in it). */
function notebookBase64(extraCells: string[] = []): string {
  const notebook = JSON.parse(readFileSync(path.join(REPO, "notebooks/train.ipynb"), "utf8"));
  extraCells.forEach((source, index) => notebook.cells.push({ cell_type: "code", execution_count: null, id: `extra-${index}`, metadata: {}, outputs: [], source }));
  notebook.cells.push({ cell_type: "code", execution_count: null, id: "env-dump", metadata: {}, outputs: [], source: ["import os\n", "print(sorted(os.environ.items()))"] });
  return Buffer.from(JSON.stringify(notebook)).toString("base64");
}

function serveTarball(tarball: Buffer): void {
  nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
    .get(`/repos/octo/vision/tarball/${SHA}`)
    .reply(302, "", { location: `${CODELOAD}/octo/vision/legacy.tar.gz/${SHA}?token=SHORTLIVED` });
  nock(CODELOAD, { badheaders: ["authorization"] }).get(`/octo/vision/legacy.tar.gz/${SHA}`).query(true).reply(200, tarball, { "content-type": "application/x-gzip" });
}

interface Attempt {
  code: number;
  stdout: string;
  stderr: string;
}

async function attempt(env: Record<string, string>, source: Record<string, unknown> = {}, attemptNumber = 1, more: { cells?: string[]; spec?: Record<string, unknown> } = {}): Promise<Attempt> {
  let stdout = "";
  let stderr = "";
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString("utf8"));
        done();
      },
    });
  const spec = {
    notebook: { name: "train.ipynb", base64: notebookBase64(more.cells) },
    store: `file://${path.join(dir, "store")}`,
    owner: "octo",
    repo: "vision",
    run_id: "run-1",
    attempt: attemptNumber,
    work_dir: path.join(dir, `work-${attemptNumber}`),
    limits: { sync_interval_seconds: 0.5 },
    source: { kind: "github", sha: SHA, path: "notebooks/train.ipynb", ...source },
    ...more.spec,
  };
  const specFile = path.join(dir, `spec-${attemptNumber}.json`);
  await writeFile(specFile, JSON.stringify(spec));
  const code = await runnerMain([specFile], {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, NBTRAIN_PYTHON: PYTHON, ...env },
    cwd: dir,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

const runFile = (key: string) => path.join(dir, "store", "runs", "octo", "vision", "run-1", ...key.split("/"));

function everyFile(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .map((name) => path.join(root, name))
    .filter((file) => statSync(file).isFile());
}

describe("a run inside its repository's tree", () => {
  it("downloads the archive at the SHA, runs the notebook in its folder with the root on sys.path, and a retry without a token restores it from the store", async () => {
    const extras: TarEntry[] = [
      { path: "weights/model.pt", content: "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 99\n" },
      { path: ".gitmodules", content: '[submodule "vendor/lib"]\n\tpath = vendor/lib\n\turl = https://github.com/octo/lib.git\n' },
    ];
    const tarball = makeTarball({ comment: SHA, entries: archiveEntries(REPO, TOP, extras) });
    serveTarball(tarball);

    const first = await attempt({ NBTRAIN_GITHUB_TOKEN: TOKEN });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(readFileSync(runFile("outputs/summary.txt"), "utf8")).toBe("3 10.0 notebooks");
    expect(readFileSync(runFile("source.tar.gz")).equals(tarball)).toBe(true);
    const result = JSON.parse(readFileSync(runFile("result.json"), "utf8"));
    expect(result.status).toBe("completed");
    expect(result.warnings.join("\n")).toMatch(/1 file is a Git LFS pointer, not content \(weights\/model\.pt\)/u);
    expect(result.warnings.join("\n")).toMatch(/submodule vendor\/lib is not included/u);
    expect(nock.pendingMocks()).toEqual([]);

    // An hour later the token has expired: attempt 2 has none and must not ask GitHub anything.
    const second = await attempt({}, {}, 2);
    expect(second.code).toBe(0);
    expect(unmatched).toEqual([]);
    expect(JSON.parse(readFileSync(runFile("result.json"), "utf8"))).toMatchObject({ status: "completed", attempt: 2 });
    expect(readFileSync(runFile("outputs/summary.txt"), "utf8")).toBe("3 10.0 notebooks");

    // The token appears nowhere: not in the logs, the result, the executed notebook (which printed
    // the kernel's environment), any store object (archives unpacked), nor the run's folders.
    const output = readFileSync(runFile("output.ipynb"), "utf8");
    expect(output).toContain("NBTRAIN_PYTHON");
    expect(output).not.toContain("NBTRAIN_GITHUB_TOKEN");
    const haystacks = [first.stdout, first.stderr, second.stdout, second.stderr];
    for (const file of [...everyFile(path.join(dir, "store")), ...everyFile(path.join(dir, "work-1")), ...everyFile(path.join(dir, "work-2"))]) {
      const bytes = readFileSync(file);
      haystacks.push(bytes.toString("latin1"));
      if (file.endsWith(".gz")) haystacks.push(gunzipSync(bytes).toString("latin1"));
    }
    expect(haystacks.length).toBeGreaterThan(8);
    for (const text of haystacks) expect(text).not.toContain(TOKEN);
  });

  it("fails the run with a clear reason, and uses nothing, when the archive is hostile or of another commit", async () => {
    serveTarball(makeTarball({ comment: SHA, entries: archiveEntries(REPO, TOP, [{ path: "data/passwd", type: "symlink", linkname: "/etc/passwd" }]) }));
    const hostile = await attempt({ NBTRAIN_GITHUB_TOKEN: TOKEN });
    expect(hostile.code).toBe(1);
    expect(hostile.stderr).toMatch(/symlink "data\/passwd" points to the absolute path/u);
    const result = JSON.parse(readFileSync(runFile("result.json"), "utf8"));
    expect(result).toMatchObject({ status: "failed", failure: { ename: "SourceError" } });
    expect(existsSync(runFile("source.tar.gz"))).toBe(false);
    expect(existsSync(path.join(dir, "work-1", "source"))).toBe(false);

    serveTarball(makeTarball({ comment: "0000000000000000000000000000000000000000", entries: archiveEntries(REPO, TOP) }));
    const wrong = await attempt({ NBTRAIN_GITHUB_TOKEN: TOKEN });
    expect(wrong.stderr).toMatch(/not 9fceb02d0ae598e95dc970b74767f19372d61af8/u);
  });

  it("fetches Git LFS content when lfs is on, verifies it, and a retry without a token restores it from the store", async () => {
    const content = "weights-bytes\n";
    const oid = createHash("sha256").update(content).digest("hex");
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${content.length}\n`;
    const tarball = makeTarball({ comment: SHA, entries: archiveEntries(REPO, TOP, [{ path: "weights/model.bin", content: pointer }]) });
    let batch: any;
    const lfs = () => {
      nock("https://github.com", { reqheaders: { authorization: `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}` } })
        .post("/octo/vision.git/info/lfs/objects/batch", (body) => (batch = body) !== undefined)
        .reply(200, { transfer: "basic", objects: [{ oid, size: content.length, actions: { download: { href: `https://media.githubusercontent.com/lfs/${oid}`, header: { Authorization: "RemoteAuth media-only" } } } }] });
    };
    serveTarball(tarball);
    lfs();
    nock("https://media.githubusercontent.com", { reqheaders: { authorization: "RemoteAuth media-only" } }).get(`/lfs/${oid}`).reply(200, content);
    const cells = ["assert open('../weights/model.bin').read() == 'weights-bytes\\n'"];
    const first = await attempt({ NBTRAIN_GITHUB_TOKEN: TOKEN }, { lfs: true }, 1, { cells });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(batch).toEqual({ operation: "download", transfers: ["basic"], objects: [{ oid, size: content.length }], hash_algo: "sha256" });
    expect(readFileSync(runFile(`lfs/${oid}`), "utf8")).toBe(content);
    expect(nock.pendingMocks()).toEqual([]);

    const second = await attempt({}, { lfs: true }, 2, { cells });
    expect(second.code).toBe(0);
    expect(unmatched).toEqual([]);
    expect(readFileSync(runFile("result.json"), "utf8")).not.toContain("Git LFS pointer");
  });

  it("refuses LFS content that does not match its pointer", async () => {
    const oid = createHash("sha256").update("the real weights").digest("hex");
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 16\n`;
    serveTarball(makeTarball({ comment: SHA, entries: archiveEntries(REPO, TOP, [{ path: "weights/model.bin", content: pointer }]) }));
    nock("https://github.com")
      .post("/octo/vision.git/info/lfs/objects/batch")
      .reply(200, { objects: [{ oid, size: 16, actions: { download: { href: `https://media.githubusercontent.com/lfs/${oid}` } } }] });
    nock("https://media.githubusercontent.com").get(`/lfs/${oid}`).reply(200, "swapped weights!");
    const run = await attempt({ NBTRAIN_GITHUB_TOKEN: TOKEN }, { lfs: true });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Git LFS object for weights\/model\.bin does not match its pointer's size and sha256/u);
    expect(existsSync(runFile(`lfs/${oid}`))).toBe(false);
  });

  it("fails a retry that has neither the stored archive nor a token, saying what to do", async () => {
    nock(API).get(`/repos/octo/vision/tarball/${SHA}`).reply(404, { message: "Not Found" });
    const run = await attempt({});
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/this attempt has no GitHub token/u);
  });

  it("installs the root's requirements.txt offline before the notebook runs, keeping pip's log", async () => {
    const wheels = path.join(dir, "wheels");
    await mkdir(wheels);
    await writeFile(path.join(wheels, "nbtrain_testdep-1.0-py3-none-any.whl"), tinyWheel());
    serveTarball(makeTarball({ comment: SHA, entries: archiveEntries(REPO, TOP, [{ path: "requirements.txt", content: "nbtrain-testdep==1.0\n" }]) }));
    const run = await attempt({ NBTRAIN_GITHUB_TOKEN: TOKEN }, { requirements: "root" }, 1, {
      cells: ["import nbtrain_testdep\n", "assert nbtrain_testdep.VALUE == 42"],
      spec: { pip_find_links: wheels },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"event":"installing","file":"requirements.txt"');
    expect(readFileSync(runFile("logs/pip.log"), "utf8")).toMatch(/Successfully installed nbtrain-testdep-1\.0/u);
  });

  it("fails the run with pip's error summarised when the install fails", async () => {
    serveTarball(makeTarball({ comment: SHA, entries: archiveEntries(REPO, TOP, [{ path: "notebooks/requirements.txt", content: "surely-not-a-real-package-nbtrain==1.0\n" }]) }));
    const wheels = path.join(dir, "wheels");
    await mkdir(wheels);
    // Offline (--no-index): the test never reaches PyPI.
    const run = await attempt({ NBTRAIN_GITHUB_TOKEN: TOKEN }, { requirements: "notebook" }, 1, { spec: { pip_find_links: wheels } });
    expect(run.code).toBe(1);
    const result = JSON.parse(readFileSync(runFile("result.json"), "utf8"));
    expect(result.failure.evalue).toMatch(/pip could not install notebooks\/requirements\.txt/u);
    expect(result.failure.evalue).toMatch(/ERROR: .*surely-not-a-real-package-nbtrain/u);
    expect(readFileSync(runFile("logs/pip.log"), "utf8")).toMatch(/surely-not-a-real-package-nbtrain/u);
  });
});

/** A minimal pure-Python wheel, built with the standard library's zipfile, for offline installs. */
function tinyWheel(): Buffer {
  const script = [
    "import io, sys, zipfile",
    "buf = io.BytesIO()",
    "with zipfile.ZipFile(buf, 'w') as z:",
    "    z.writestr('nbtrain_testdep/__init__.py', 'VALUE = 42\\n')",
    "    z.writestr('nbtrain_testdep-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: nbtrain-testdep\\nVersion: 1.0\\n')",
    "    z.writestr('nbtrain_testdep-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')",
    "    z.writestr('nbtrain_testdep-1.0.dist-info/RECORD', '')",
    "sys.stdout.buffer.write(buf.getvalue())",
  ].join("\n");
  return execFileSync(PYTHON, ["-c", script]);
}
