import { spawn } from "node:child_process";

export interface InstallOptions {
  python: string;
  requirements: string;
  /** Installed here with `pip --target`, then put on the kernel's PYTHONPATH; the interpreter itself is never modified. */
  target: string;
  /** Offline: `--no-index --find-links` this folder. */
  findLinks?: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs `python -m pip install --target … -r requirements.txt`. A target folder keeps the system
 * (or Debian-managed, PEP 668) Python untouched and is thrown away with the run's work folder.
 * Throws with pip's last output lines when the install fails.
 */
export function installRequirements(options: InstallOptions): Promise<void> {
  const args = ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet", "--target", options.target];
  if (options.findLinks) args.push("--no-index", "--find-links", options.findLinks);
  args.push("-r", options.requirements);
  return new Promise((resolve, reject) => {
    const child = spawn(options.python, args, { env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-4_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", (error) => reject(new Error(`Cannot run pip with ${options.python}: ${error.message}`)));
    child.once("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`pip could not install ${options.requirements} (exit ${code}). Fix the file or the package source; pip said:\n${tail.trim()}`));
    });
  });
}
