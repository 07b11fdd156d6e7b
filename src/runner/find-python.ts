import { execFile } from "node:child_process";

/** Raised when no interpreter can run notebooks; the message says what to install or set. */
export class PythonNotFoundError extends Error {
  override readonly name = "PythonNotFoundError";
}

const PROBE = "import sys, nbclient, ipykernel, nbformat; print(sys.executable)";
const DEFAULT_CANDIDATES = ["python3", "/usr/bin/python3"];

function probe(command: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, ["-c", PROBE], { timeout: 30_000, env: { ...process.env, PYTHONWARNINGS: "ignore" } }, (error, stdout) => {
      const executable = stdout.trim().split("\n").pop();
      resolve(error || !executable ? null : executable);
    });
  });
}

const found = new Map<string, Promise<string>>();

/**
 * Picks the Python that runs notebooks: `NBTRAIN_PYTHON` when set, else the first of `python3`
 * and `/usr/bin/python3` that can import nbclient, ipykernel and nbformat. Returns its absolute
 * `sys.executable`, so the kernel can be pinned to the same interpreter.
 */
export function findPython(env: NodeJS.ProcessEnv): Promise<string> {
  const explicit = env.NBTRAIN_PYTHON?.trim();
  const candidates = explicit ? [explicit] : DEFAULT_CANDIDATES;
  const cacheKey = candidates.join("\0");
  let result = found.get(cacheKey);
  if (!result) {
    result = (async () => {
      for (const candidate of candidates) {
        const executable = await probe(candidate);
        if (executable) return executable;
      }
      throw new PythonNotFoundError(
        explicit
          ? `NBTRAIN_PYTHON=${explicit} cannot import nbclient, ipykernel and nbformat. Install them for that interpreter (pip install nbclient ipykernel) or point NBTRAIN_PYTHON at one that has them.`
          : `No Python here can import nbclient, ipykernel and nbformat (tried ${candidates.join(", ")}). Install them (apt-get install python3-nbclient python3-ipykernel, or pip install nbclient ipykernel) or set NBTRAIN_PYTHON to an interpreter that has them.`,
      );
    })();
    found.set(cacheKey, result);
    result.catch(() => found.delete(cacheKey));
  }
  return result;
}
