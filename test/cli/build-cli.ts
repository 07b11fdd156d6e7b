import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(repoRoot, "bin/nbtrain.js");

/**
 * Compiles the project to dist/ (what `node bin/nbtrain.js` runs). Type errors elsewhere in the tree do not
 * stop tsc from emitting (noEmitOnError is off) and are the typecheck step's business; a type error in the
 * files `nbtrain check` runs (the check command, the config, the notebook engine), or a missing output,
 * fails loudly.
 */
export function buildCli(): void {
  const tsc = path.join(repoRoot, "node_modules/.bin/tsc");
  const result = spawnSync(tsc, ["-p", "tsconfig.build.json"], { cwd: repoRoot, encoding: "utf8" });
  if (result.error) throw result.error;
  const ours = result.stdout
    .split("\n")
    .filter((line) => /^src\/(cli\/(main|check-command|find-notebooks|describe-fs-error|formats\/)|config\/(repo-config|load-repo-config)|notebook\/)/.test(line));
  if (ours.length > 0) throw new Error(`the CLI does not compile:\n${ours.join("\n")}`);
  for (const file of ["dist/src/cli/main.js", "dist/src/cli/check-command.js", "dist/src/notebook/check-notebook.js"]) {
    if (!existsSync(path.join(repoRoot, file))) throw new Error(`npm run build did not produce ${file}:\n${result.stdout}`);
  }
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `nbtrain` as a child process, as a user or a pre-commit hook would. */
export function runCli(args: string[], cwd: string, options: { timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`nbtrain ${args.join(" ")} did not finish within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
    });
  });
}
