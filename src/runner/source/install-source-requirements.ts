import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";

export interface SourceInstallOptions {
  python: string;
  requirements: string;
  /** `pip --target`: the interpreter itself is never modified. */
  target: string;
  /** pip's full log (`--log`), kept with the run's logs. */
  log: string;
  /** The folder pip runs in, so `-e .` and relative paths in the file resolve as in the repository. */
  cwd: string;
  findLinks?: string;
  /** The file as messages name it (repository-relative). */
  name: string;
  env: NodeJS.ProcessEnv;
}

/** pip failed; `summary` is the few lines that say why, for the check run. */
export class RequirementsError extends Error {
  override readonly name = "RequirementsError";
  constructor(
    message: string,
    readonly summary: string,
  ) {
    super(message);
  }
}

const SUMMARY_LINES = 6;
const SUMMARY_LINE_CHARS = 300;

/** The lines of pip's output that say what went wrong: its `ERROR:` lines, else its last lines. */
export function summarisePipOutput(output: string): string {
  const lines = output.split(/\r?\n/u).map((line) => line.trimEnd()).filter((line) => line.trim() !== "");
  const errors = lines.filter((line) => /^\s*ERROR:/u.test(line));
  const chosen = (errors.length > 0 ? errors : lines).slice(-SUMMARY_LINES);
  return chosen.map((line) => (line.length > SUMMARY_LINE_CHARS ? `${line.slice(0, SUMMARY_LINE_CHARS)}…` : line)).join("\n");
}

/**
 * Installs a repository's `requirements.txt` with `pip install --target`, writing pip's log to
 * `log`. A failed install throws `RequirementsError` with pip's error lines summarised.
 */
export async function installSourceRequirements(options: SourceInstallOptions): Promise<void> {
  await mkdir(path.dirname(options.log), { recursive: true });
  const args = ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--log", options.log, "--target", options.target];
  if (options.findLinks) args.push("--no-index", "--find-links", options.findLinks);
  args.push("-r", options.requirements);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(options.python, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-16_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", (error) => reject(new RequirementsError(`Cannot run pip with ${options.python}: ${error.message}`, error.message)));
    child.once("close", (code) => {
      if (code === 0) return resolve();
      const summary = summarisePipOutput(output);
      reject(new RequirementsError(`pip could not install ${options.name} (exit ${code}); the full log is logs/pip.log in the run's store. pip said:\n${summary}`, summary));
    });
  });
}
