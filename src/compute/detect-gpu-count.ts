import { execFile } from "node:child_process";

/** Runs a command and resolves its stdout; rejects when it cannot run or exits non-zero. */
export type ExecFile = (command: string, args: string[]) => Promise<string>;

const execFileText: ExecFile = (command, args) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 10_000, encoding: "utf8" }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });

/**
 * How many GPUs `nvidia-smi -L` lists (lines `GPU 0: …`); 0 when it is absent or fails, which is
 * the normal case on a machine without NVIDIA GPUs.
 */
export async function detectGpuCount(exec: ExecFile = execFileText): Promise<number> {
  try {
    const stdout = await exec("nvidia-smi", ["-L"]);
    return stdout.split("\n").filter((line) => /^GPU \d+:/.test(line.trim())).length;
  } catch {
    return 0;
  }
}
