import { execFileSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCommand, readNotebookFile } from "../../src/cli/check-command.js";
import { findNotebooks } from "../../src/cli/find-notebooks.js";
import { buildCli, runCli, repoRoot } from "./build-cli.js";
import { cleanNotebook, codeCell, fakeAwsKeyId, notebook, notebookMissingSource } from "./sample-notebooks.js";

interface JsonOutput {
  notebooks: Array<{
    path: string;
    valid: boolean;
    nbformat: string | null;
    findings: Array<{ rule: string; severity: string; message: string; cell?: number; line?: number; column?: number }>;
  }>;
  summary: { files: number; errors: number; warnings: number };
}

let root: string;

/** A fresh directory per test, with the given files (string = contents, Buffer = raw bytes). */
async function workspace(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(path.join(root, "ws-"));
  for (const [name, contents] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), contents);
  }
  return dir;
}

async function checkJson(args: string[], cwd: string): Promise<{ status: number | null; out: JsonOutput; stderr: string }> {
  const run = await runCli(["check", "--format", "json", ...args], cwd);
  let out: JsonOutput;
  try {
    out = JSON.parse(run.stdout) as JsonOutput;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.status}):\n${run.stdout.slice(0, 2000)}\nstderr:\n${run.stderr}`);
  }
  return { status: run.status, out, stderr: run.stderr };
}

beforeAll(async () => {
  buildCli();
  root = await mkdtemp(path.join(os.tmpdir(), "nbtrain-cli-"));
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("nbtrain check: arguments and exit codes", () => {
  it("prints its usage with --help and exits 0", async () => {
    const run = await runCli(["check", "--help"], repoRoot);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: nbtrain check \[PATH \.\.\.\] \[--format text\|json\|sarif\] \[--config FILE\]/);
    expect(run.stdout).toContain("Exit codes: 0 no error findings, 1 error findings, 2 usage or config error.");
  });

  it("exits 2 on an unknown option, naming it", async () => {
    const run = await runCli(["check", "--fromat", "json"], repoRoot);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("--fromat");
    expect(run.stderr).toContain("Usage: nbtrain check");
  });

  it("exits 2 on an unknown format, listing the valid ones", async () => {
    const run = await runCli(["check", "--format", "xml"], repoRoot);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown format "xml"; use one of text, json, sarif');
  });

  it("exits 0 and reports the exact JSON shape for a clean notebook", async () => {
    const dir = await workspace({ "clean.ipynb": cleanNotebook() });
    const { status, out } = await checkJson(["clean.ipynb"], dir);
    expect(out).toEqual({
      notebooks: [{ path: "clean.ipynb", valid: true, nbformat: "4.5", findings: [] }],
      summary: { files: 1, errors: 0, warnings: 0 },
    });
    expect(status).toBe(0);
  });

  it("exits 1 for a schema error, placed on the cell, line and column", async () => {
    const text = notebookMissingSource();
    const dir = await workspace({ "broken.ipynb": text });
    const { status, out } = await checkJson(["broken.ipynb"], dir);
    expect(status).toBe(1);
    const [report] = out.notebooks;
    expect(report).toMatchObject({ path: "broken.ipynb", valid: false, nbformat: "4.5" });
    const schema = report!.findings.filter((f) => f.rule === "schema");
    expect(schema.length).toBeGreaterThan(0);
    expect(schema[0]).toMatchObject({ severity: "error", cell: 2 });
    expect(Object.keys(schema[0]!)).toEqual(["rule", "severity", "message", "cell", "line", "column"]);
    // The finding sits inside the third cell's object in the raw text.
    const thirdCellLine = text.split("\n").findIndex((line) => line.includes('"id": "c"')) + 1;
    expect(schema[0]!.line).toBeGreaterThan(thirdCellLine - 8);
    expect(schema[0]!.line).toBeLessThanOrEqual(thirdCellLine + 8);
    expect(schema[0]!.column).toBeGreaterThanOrEqual(1);
    expect(out.summary).toEqual({ files: 1, errors: report!.findings.filter((f) => f.severity === "error").length, warnings: report!.findings.filter((f) => f.severity === "warning").length });
  });

  it("exits 0 when the only problems are warnings, and counts them", async () => {
    const nb = notebook([codeCell("a", ["!pip install requests\n", "import requests"], 1), codeCell("b", ["y = 2"], 2)]);
    const dir = await workspace({ "pip.ipynb": JSON.stringify(nb) });
    const { status, out } = await checkJson([], dir);
    expect(out.notebooks[0]!.valid).toBe(true);
    expect(out.notebooks[0]!.findings.map((f) => [f.rule, f.severity])).toContainEqual(["unpinned-install", "warning"]);
    expect(out.summary).toEqual({ files: 1, errors: 0, warnings: out.notebooks[0]!.findings.filter((f) => f.severity === "warning").length });
    expect(status).toBe(0);
  });

  it("exits 1 when the config raises a warning to an error", async () => {
    const nb = notebook([codeCell("a", ["!pip install requests\n", "import requests"], 1)]);
    const dir = await workspace({ "pip.ipynb": JSON.stringify(nb), ".github/nbtrain.yml": "rules:\n  unpinned-install: error\n" });
    const { status, out } = await checkJson([], dir);
    expect(out.notebooks[0]!.findings.map((f) => [f.rule, f.severity])).toContainEqual(["unpinned-install", "error"]);
    expect(status).toBe(1);
  });
});

describe("nbtrain check: finding notebooks", () => {
  it("searches the current directory when no PATH is given, skipping .git, node_modules and checkpoints", async () => {
    const dir = await workspace({
      "a.ipynb": cleanNotebook(),
      "sub/deeper/b.ipynb": cleanNotebook(),
      "sub/notes.txt": "not a notebook",
      ".git/c.ipynb": "{",
      "node_modules/pkg/d.ipynb": "{",
      "sub/.ipynb_checkpoints/b-checkpoint.ipynb": "{",
      ".hidden/e.ipynb": cleanNotebook(),
    });
    const { status, out } = await checkJson([], dir);
    expect(out.notebooks.map((n) => n.path)).toEqual([".hidden/e.ipynb", "a.ipynb", "sub/deeper/b.ipynb"]);
    expect(status).toBe(0);
  });

  it("names notebooks found under a directory PATH by that PATH", async () => {
    const dir = await workspace({ "notebooks/x/a.ipynb": cleanNotebook(), "other/b.ipynb": "{" });
    const { out } = await checkJson(["notebooks"], dir);
    expect(out.notebooks.map((n) => n.path)).toEqual(["notebooks/x/a.ipynb"]);
  });

  it("expands a glob and warns on stderr about one that matches nothing", async () => {
    const dir = await workspace({ "nb/a.ipynb": cleanNotebook(), "nb/b.ipynb": cleanNotebook(), "nb/deep/c.ipynb": cleanNotebook() });
    const { status, out, stderr } = await checkJson(["nb/*.ipynb", "missing/**/*.ipynb"], dir);
    expect(out.notebooks.map((n) => n.path)).toEqual(["nb/a.ipynb", "nb/b.ipynb"]);
    expect(stderr).toContain('no files match "missing/**/*.ipynb"');
    expect(status).toBe(0);
  });

  it("checks a file given twice once", async () => {
    const dir = await workspace({ "a.ipynb": cleanNotebook() });
    const { out } = await checkJson(["a.ipynb", "./a.ipynb", "."], dir);
    expect(out.notebooks.map((n) => n.path)).toEqual(["a.ipynb"]);
  });
});

describe("nbtrain check: config", () => {
  it("applies .github/nbtrain.yml: severities, and include/exclude on directory walks only", async () => {
    const dir = await workspace({
      ".github/nbtrain.yml": "exclude:\n  - 'scratch/**'\nrules:\n  schema: warning\n",
      "work/broken.ipynb": notebookMissingSource(),
      "scratch/broken.ipynb": notebookMissingSource(),
    });
    const walked = await checkJson([], dir);
    expect(walked.out.notebooks.map((n) => n.path)).toEqual(["work/broken.ipynb"]);
    expect(walked.out.notebooks[0]!.valid).toBe(false);
    expect(walked.out.notebooks[0]!.findings.filter((f) => f.rule === "schema").every((f) => f.severity === "warning")).toBe(true);
    expect(walked.status).toBe(0);

    // Named explicitly, an excluded file is still checked.
    const explicit = await checkJson(["scratch/broken.ipynb"], dir);
    expect(explicit.out.notebooks.map((n) => n.path)).toEqual(["scratch/broken.ipynb"]);
  });

  it("honours include globs", async () => {
    const dir = await workspace({
      ".github/nbtrain.yml": "include: ['lessons/**/*.ipynb']\n",
      "lessons/one/a.ipynb": cleanNotebook(),
      "drafts/b.ipynb": cleanNotebook(),
    });
    const { out } = await checkJson([], dir);
    expect(out.notebooks.map((n) => n.path)).toEqual(["lessons/one/a.ipynb"]);
  });

  it("can turn a rule off", async () => {
    const nb = notebook([codeCell("a", ["x = 1"], 2), codeCell("b", ["y = 2"], 1)]);
    const dir = await workspace({ "cfg.yml": "rules:\n  execution-order: off\n", "order.ipynb": JSON.stringify(nb) });
    const { out } = await checkJson(["--config", "cfg.yml", "order.ipynb"], dir);
    expect(out.notebooks[0]!.findings.map((f) => f.rule)).not.toContain("execution-order");
  });

  it.each([
    ["rules:\n  secret: loud\n", ".github/nbtrain.yml: rules.secret: expected one of off, info, warning, error"],
    ["rules:\n  secrets: error\n", '.github/nbtrain.yml: rules.secrets: unknown rule, did you mean "secret"?'],
    ["limits:\n  output_bytes: lots\n", '.github/nbtrain.yml: limits.output_bytes: expected a number, got "lots"'],
    ["rules: [\n", ".github/nbtrain.yml: YAML syntax error at line 2, column 1"],
    ["__proto__:\n  polluted: 1\n", ".github/nbtrain.yml: __proto__: this key is not allowed, remove it"],
  ])("exits 2 on a bad config and names the key: %j", async (config, message) => {
    const dir = await workspace({ ".github/nbtrain.yml": config, "a.ipynb": cleanNotebook() });
    const run = await runCli(["check", "--format", "json"], dir);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(message);
  });

  it("exits 2 when --config names a file that does not exist, a directory, or a huge file", async () => {
    const dir = await workspace({ "a.ipynb": cleanNotebook(), "confdir/x": "", "huge.yml": `# ${"x".repeat(200_000)}\n` });
    for (const [config, message] of [
      ["nope.yml", "nope.yml: config file not found"],
      ["confdir", "confdir: not a regular file; the config must be a YAML file"],
      ["huge.yml", "huge.yml: 200003 bytes, over the 65536-byte limit for a config"],
    ] as const) {
      const run = await runCli(["check", "--config", config], dir);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });

  it("reads a config saved with a BOM, and refuses one that is not UTF-8", async () => {
    const dir = await workspace({
      "bom.yml": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("rules:\n  schema: warning\n")]),
      "latin1.yml": Buffer.concat([Buffer.from("# auteur: Jos"), Buffer.from([0xe9]), Buffer.from("\nrules: {}\n")]),
      "broken.ipynb": notebookMissingSource(),
    });
    const bom = await checkJson(["--config", "bom.yml", "broken.ipynb"], dir);
    expect(bom.status).toBe(0);
    const latin1 = await runCli(["check", "--config", "latin1.yml"], dir);
    expect(latin1.status).toBe(2);
    expect(latin1.stderr).toContain("latin1.yml: not valid UTF-8; save the config as UTF-8 text");
  });

  it("refuses a hostile config (an alias bomb) quickly, with exit 2", async () => {
    const levels = ["a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const dir = await workspace({ "bomb.yml": `${levels.join("\n")}\n`, "a.ipynb": cleanNotebook() });
    const run = await runCli(["check", "--config", "bomb.yml"], dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("bomb.yml: config is not usable YAML: Excessive alias count");
  });
});

describe("nbtrain check: bad input gets a finding, never a crash", () => {
  it("reports each bad file and still checks the good one", async () => {
    const deep = 100_000;
    const dir = await workspace({
      "00-good.ipynb": cleanNotebook(),
      "empty.ipynb": "",
      "binary.ipynb": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe]),
      "latin1.ipynb": Buffer.concat([Buffer.from('{"cells": [], "metadata": {"author": "Jos'), Buffer.from([0xe9]), Buffer.from('"}, "nbformat": 4, "nbformat_minor": 5}')]),
      "bom.ipynb": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(cleanNotebook())]),
      "array.ipynb": "[1, 2, 3]",
      "number.ipynb": "42",
      "deep-array.ipynb": `${"[".repeat(deep)}${"]".repeat(deep)}`,
      "deep-object.ipynb": `${'{"a":'.repeat(deep)}1${"}".repeat(deep)}`,
      "truncated.ipynb": cleanNotebook().slice(0, 150),
      "sub/inside-dir.ipynb/nested.ipynb": cleanNotebook(),
    });
    await symlink(path.join(dir, "gone.ipynb"), path.join(dir, "dangling.ipynb"));
    await mkdir(path.join(dir, "somedir"));
    await symlink(path.join(dir, "somedir"), path.join(dir, "dir-link.ipynb"));
    execFileSync("mkfifo", [path.join(dir, "fifo.ipynb")]);

    const { status, out, stderr } = await checkJson([".", "does-not-exist.ipynb"], dir);
    expect(stderr).toBe("");
    expect(status).toBe(1);
    const byPath = new Map(out.notebooks.map((n) => [n.path, n]));
    expect([...byPath.keys()].sort()).toEqual(
      [
        "00-good.ipynb",
        "array.ipynb",
        "binary.ipynb",
        "bom.ipynb",
        "dangling.ipynb",
        "deep-array.ipynb",
        "deep-object.ipynb",
        "dir-link.ipynb",
        "does-not-exist.ipynb",
        "empty.ipynb",
        "fifo.ipynb",
        "latin1.ipynb",
        "number.ipynb",
        "sub/inside-dir.ipynb/nested.ipynb",
        "truncated.ipynb",
      ].sort(),
    );
    expect(byPath.get("00-good.ipynb")).toEqual({ path: "00-good.ipynb", valid: true, nbformat: "4.5", findings: [] });
    expect(byPath.get("sub/inside-dir.ipynb/nested.ipynb")!.valid).toBe(true);

    const rulesOf = (name: string): string[] => byPath.get(name)!.findings.filter((f) => f.severity === "error").map((f) => f.rule);
    for (const name of ["empty.ipynb", "binary.ipynb", "latin1.ipynb", "bom.ipynb", "truncated.ipynb"]) {
      expect(byPath.get(name), name).toMatchObject({ valid: false, nbformat: null });
      expect(rulesOf(name), name).toContain("invalid-json");
    }
    // JSON, but not an object: nbformat reads it and rejects it; there is no version to report.
    for (const name of ["array.ipynb", "number.ipynb", "deep-array.ipynb"]) {
      expect(byPath.get(name), name).toMatchObject({ valid: false, nbformat: null });
      expect(rulesOf(name).length, name).toBeGreaterThan(0);
    }
    expect(byPath.get("deep-object.ipynb")!.valid).toBe(false);
    expect(rulesOf("deep-object.ipynb").length).toBeGreaterThan(0);
    for (const name of ["dangling.ipynb", "dir-link.ipynb", "does-not-exist.ipynb", "fifo.ipynb"]) {
      expect(byPath.get(name), name).toMatchObject({ valid: false, nbformat: null });
      expect(rulesOf(name), name).toEqual(["read-error"]);
    }
    expect(byPath.get("dangling.ipynb")!.findings[0]!.message).toContain("no such file or directory");
    expect(byPath.get("dir-link.ipynb")!.findings[0]!.message).toContain("is a directory");
    expect(byPath.get("fifo.ipynb")!.findings[0]!.message).toContain("not a regular file");
  });

  it("reports a file deleted between discovery and reading, and goes on", async () => {
    const dir = await workspace({ "a.ipynb": cleanNotebook(), "b.ipynb": cleanNotebook(), "c.ipynb": cleanNotebook() });
    const stdout = collect();
    const code = await checkCommand(["--format", "json"], { stdout, stderr: collect(), cwd: dir, env: {} }, {
      findNotebooks,
      readNotebookFile: async (absolute) => {
        // Another process removes b.ipynb after the directory was listed.
        if (absolute.endsWith("b.ipynb")) await unlink(absolute);
        return readNotebookFile(absolute);
      },
    });
    const out = JSON.parse(stdout.text()) as JsonOutput;
    expect(code).toBe(1);
    expect(out.notebooks.map((n) => [n.path, n.valid])).toEqual([["a.ipynb", true], ["b.ipynb", false], ["c.ipynb", true]]);
    expect(out.notebooks[1]!.findings).toEqual([
      { rule: "read-error", severity: "error", message: "cannot read: no such file or directory (it was deleted, or it is a broken symlink)" },
    ]);
  });

  it("checks a 200 MB notebook", async () => {
    const dir = await workspace({});
    await writeLargeNotebook(path.join(dir, "huge.ipynb"), 200 * 1024 * 1024);
    const { status, out } = await checkJson(["huge.ipynb"], dir);
    const [report] = out.notebooks;
    expect(report).toMatchObject({ path: "huge.ipynb", valid: true, nbformat: "4.5" });
    expect(report!.findings.map((f) => f.rule)).toContain("notebook-size");
    expect(report!.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(status).toBe(0);
  }, 120_000);
});

describe("nbtrain check: output formats", () => {
  it("prints text like ESLint: path, line:column  severity  message  rule, totals", async () => {
    const dir = await workspace({ "broken.ipynb": notebookMissingSource(), "clean.ipynb": cleanNotebook() });
    const run = await runCli(["check"], dir);
    expect(run.status).toBe(1);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("broken.ipynb");
    expect(lines[1]).toMatch(/^\s+\d+:\d+ {2}error {4}\S.+ {2}schema$/);
    expect(run.stdout).not.toContain("clean.ipynb");
    expect(lines.at(-2)).toMatch(/^✖ \d+ problems? \(\d+ errors?, \d+ warnings?(, \d+ info)?\) in 2 notebooks checked$/);
  });

  it("says there are no problems when there are none", async () => {
    const dir = await workspace({ "clean.ipynb": cleanNotebook() });
    const run = await runCli(["check"], dir);
    expect(run).toEqual({ status: 0, stdout: "✔ 1 notebook checked, no problems\n", stderr: "" });
  });

  it("never echoes a secret it reports", async () => {
    const key = fakeAwsKeyId();
    const nb = notebook([codeCell("a", [`aws_access_key_id = "${key}"\n`], 1)]);
    const dir = await workspace({ "leak.ipynb": JSON.stringify(nb, null, 1) });
    for (const format of ["text", "json", "sarif"]) {
      const run = await runCli(["check", "--format", format], dir);
      expect(run.stdout).toContain("secret");
      expect(run.stdout).not.toContain(key);
    }
  });

  it("writes SARIF 2.1.0 that GitHub code scanning accepts", async () => {
    const dir = await workspace({ "nb/broken one.ipynb": notebookMissingSource(), "empty.ipynb": "" });
    const run = await runCli(["check", "--format", "sarif"], dir);
    expect(run.status).toBe(1);
    const sarif = JSON.parse(run.stdout) as {
      version: string;
      runs: Array<{
        tool: { driver: { name: string; version: string; rules: Array<{ id: string; help: { text: string } }> } };
        results: Array<{
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn?: number } } }>;
        }>;
      }>;
    };
    expect(sarif.version).toBe("2.1.0");
    const [runLog] = sarif.runs;
    expect(runLog!.tool.driver.name).toBe("nbtrain");
    expect(runLog!.tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
    const ruleIds = runLog!.tool.driver.rules.map((r) => r.id);
    expect(runLog!.results.length).toBeGreaterThan(1);
    for (const result of runLog!.results) {
      expect(ruleIds[result.ruleIndex]).toBe(result.ruleId);
      expect(["error", "warning", "note"]).toContain(result.level);
      expect(result.message.text.length).toBeGreaterThan(0);
      const location = result.locations[0]!.physicalLocation;
      expect(["nb/broken%20one.ipynb", "empty.ipynb"]).toContain(location.artifactLocation.uri);
      expect(Number.isInteger(location.region.startLine) && location.region.startLine >= 1).toBe(true);
    }
    expect(runLog!.results.some((r) => r.ruleId === "schema" && r.locations[0]!.physicalLocation.region.startColumn !== undefined)).toBe(true);
  });
});

/** Writes a valid v4.5 notebook of about `bytes` bytes: cells with base64 PNG outputs, streamed to disk. */
async function writeLargeNotebook(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await once(out, "drain");
  };
  const image = Buffer.alloc(750_000, 7).toString("base64");
  await write('{"cells": [');
  let written = 11;
  for (let i = 0; written < bytes; i++) {
    const cell = JSON.stringify({
      cell_type: "code",
      execution_count: i + 1,
      id: `cell-${i}`,
      metadata: {},
      outputs: [{ output_type: "display_data", data: { "image/png": image, "text/plain": ["<Figure size 640x480 with 1 Axes>"] }, metadata: {} }],
      source: [`plot(step=${i})`],
    });
    await write(`${i === 0 ? "" : ", "}${cell}`);
    written += cell.length + 2;
  }
  await write('], "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}\n');
  out.end();
  await once(out, "finish");
}

function collect(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return Object.assign(stream, { text: () => Buffer.concat(chunks).toString("utf8") });
}
