import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(repoRoot, "bin/nbtrain.js");

/**
 * Checks that dist/ holds what `node bin/nbtrain.js` runs. test/global-setup.ts builds it once for the
 * whole suite, so that parallel test files never read a half-written dist/.
 */
export function buildCli(): void {
  for (const file of ["dist/cli/check.cjs", "dist/src/cli/main.js", "dist/src/cli/check-command.js", "dist/src/notebook/check-notebook.js"]) {
    if (!existsSync(path.join(repoRoot, file))) throw new Error(`dist/ lacks ${file}: run the tests through vitest, whose global setup builds it`);
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
