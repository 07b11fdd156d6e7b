import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, repoRoot, runCli } from "./build-cli.js";
import { cleanNotebook, codeCell, notebook, notebookMissingSource } from "./sample-notebooks.js";

interface ActionYml {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Array<{ id?: string; run?: string; shell?: string; env?: Record<string, string> }> };
}

let root: string;
let action: ActionYml;
beforeAll(async () => {
  buildCli();
  root = await mkdtemp(path.join(os.tmpdir(), "nbtrain-action-"));
  action = parseYaml(await readFile(path.join(repoRoot, "action.yml"), "utf8")) as ActionYml;
});
afterAll(() => rm(root, { recursive: true, force: true }));

/**
 * Runs action.yml's check step as the runner does: its `run` script under bash, with the step's
 * `env` after `${{ inputs.* }}` substitution (defaults from action.yml), and the variables the runner
 * sets for every step. The earlier steps (setup-node, npm ci) are what this checkout already is.
 */
async function runAction(workspace: string, inputs: Record<string, string> = {}) {
  const step = action.runs.steps.find((s) => s.id === "check");
  if (!step?.run || step.shell !== "bash") throw new Error("action.yml has no bash step with id: check");
  const value = (name: string) => inputs[name] ?? action.inputs[name]?.default ?? "";
  const stepEnv = Object.fromEntries(
    Object.entries(step.env ?? {}).map(([key, template]) => [key, template.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => value(name))]),
  );
  const files = await mkdtemp(path.join(root, "runner-"));
  const summaryFile = path.join(files, "step_summary");
  const outputFile = path.join(files, "output");
  await writeFile(summaryFile, "");
  await writeFile(outputFile, "");
  const { PATH, HOME } = process.env;
  const run = spawnSync("bash", ["-e", "-c", step.run], {
    cwd: workspace,
    encoding: "utf8",
    env: { PATH, HOME, ...stepEnv, GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: workspace, GITHUB_ACTION_PATH: repoRoot, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_OUTPUT: outputFile },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, summary: await readFile(summaryFile, "utf8"), output: await readFile(outputFile, "utf8") };
}

// ::command key=value,key=value::data, with GitHub's escapes: no raw CR or LF anywhere, and no raw
// `:` or `,` inside a property value.
const COMMAND = /^::(error|warning|notice)(?: ([a-z]+=[^:,\r\n]*(?:,[a-z]+=[^:,\r\n]*)*))?::([^\r\n]*)$/;
const unescape = (text: string) => text.replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%3A", ":").replaceAll("%2C", ",").replaceAll("%25", "%");

function parseCommands(stdout: string) {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const match = COMMAND.exec(line);
      if (!match) throw new Error(`not a workflow command: ${JSON.stringify(line)}`);
      const properties = Object.fromEntries((match[2] ?? "").split(",").filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf("=")), unescape(pair.slice(pair.indexOf("=") + 1))]));
      return { command: match[1]!, properties, message: unescape(match[3]!) };
    });
}

async function workspace(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(root, "ws-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

describe("the GitHub Action (action.yml)", () => {
  it("annotates each finding on its file and line, escaped as GitHub's toolkit escapes, with a summary and outputs", async () => {
    // A file name with `,`, `:` and `%`, which must be escaped inside the file= property.
    const awkward = "nb/100%, part: 1.ipynb";
    const outOfOrder = `${JSON.stringify(notebook([codeCell("a", ["x = 1"], 2), codeCell("b", ["y = 2"], 1)]), null, 1)}\n`;
    const dir = await workspace({ [awkward]: notebookMissingSource(), "nb/order.ipynb": outOfOrder, "nb/clean.ipynb": cleanNotebook() });
    const run = await runAction(dir);
    expect(run.status, run.stderr).toBe(1);
    const commands = parseCommands(run.stdout);

    // The same findings `nbtrain check --format json` reports, one command each.
    const json = JSON.parse((await runCli(["check", "--format", "json"], dir)).stdout) as {
      notebooks: Array<{ path: string; findings: Array<{ severity: string; rule: string; message: string; line?: number; column?: number }> }>;
    };
    const expected = json.notebooks.flatMap((nb) =>
      nb.findings.map((f) => ({
        command: { error: "error", warning: "warning", info: "notice" }[f.severity],
        properties: { file: nb.path, ...(f.line ? { line: String(f.line) } : {}), ...(f.column ? { col: String(f.column) } : {}), title: `nbtrain ${f.rule}` },
        message: f.message,
      })),
    );
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(commands).toEqual(expected);
    expect(commands.some((c) => c.properties["file"] === awkward && c.command === "error" && c.properties["line"])).toBe(true);
    expect(run.stdout).toContain("file=nb/100%25%2C part%3A 1.ipynb,");

    expect(run.summary).toMatch(/^## nbtrain check\n\n3 notebooks checked: 1 error, \d+ warnings?, \d+ notices?\./);
    expect(run.summary).toContain("| Notebook | Line | Severity | Rule | Finding |");
    const outputs = Object.fromEntries(run.output.trim().split("\n").map((line) => line.split("=") as [string, string]));
    expect(outputs).toMatchObject({ notebooks: "3", errors: "1", "sarif-file": "" });
    // Every output action.yml declares is one the step writes.
    for (const [name, { value }] of Object.entries(action.outputs)) {
      expect(value).toBe(`\${{ steps.check.outputs.${name} }}`);
      expect(outputs).toHaveProperty(name);
    }
  });

  it("takes paths, a fail level and a SARIF file as inputs", async () => {
    // No kernelspec (a warning), cells run out of order (a notice).
    const warned = `${JSON.stringify({ ...notebook([codeCell("a", ["x = 1"], 2), codeCell("b", ["y = 2"], 1)]), metadata: {} }, null, 1)}\n`;
    const dir = await workspace({ "a/warned.ipynb": warned, "b/bad.ipynb": notebookMissingSource() });
    // Only a/: no errors, which fail the step at fail-level warning but not at error.
    const atError = await runAction(dir, { paths: "a" });
    expect(atError.status).toBe(0);
    expect(parseCommands(atError.stdout).every((c) => c.properties["file"]?.startsWith("a/"))).toBe(true);
    expect(parseCommands(atError.stdout).map((c) => c.command).sort()).toEqual(["notice", "warning"]);
    expect((await runAction(dir, { paths: "a", "fail-level": "warning" })).status).toBe(1);
    expect((await runAction(dir, { "fail-level": "never" })).status).toBe(0);

    const withSarif = await runAction(dir, { sarif: "reports/nbtrain.sarif" });
    const sarif = JSON.parse(await readFile(path.join(dir, "reports/nbtrain.sarif"), "utf8")) as { version: string; runs: Array<{ results: unknown[] }> };
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0]!.results.length).toBe(parseCommands(withSarif.stdout).length);
    expect(withSarif.output).toContain(`sarif-file=${path.join(dir, "reports/nbtrain.sarif")}\n`);
  });

  it("turns a bad input or config into an error annotation and exit 2", async () => {
    const dir = await workspace({ "n.ipynb": cleanNotebook(), "bad.yml": "rules: [\n" });
    const level = await runAction(dir, { "fail-level": "sometimes" });
    expect(level.status).toBe(2);
    expect(parseCommands(level.stdout)).toEqual([{ command: "error", properties: { title: "nbtrain" }, message: expect.stringContaining('fail-level "sometimes"') }]);
    const config = await runAction(dir, { config: "bad.yml" });
    expect(config.status).toBe(2);
    expect(parseCommands(config.stdout)[0]).toMatchObject({ command: "error", message: expect.stringContaining("bad.yml") });
  });
});
