import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/**
 * The folder holding nbtrain's package.json. The runner's Python files ship as source under
 * `src/runner/python/` and are read from there both by the TypeScript sources (tests) and by the
 * built code in `dist/src/`, so we walk up from this module instead of assuming a depth.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "nbtrain") return (cached = dir);
      } catch {
        // An unreadable package.json belongs to something else; keep walking up.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("Cannot find nbtrain's package.json above the runner module; reinstall nbtrain.");
    dir = parent;
  }
}

/** Where the Python shim and the google.colab stand-in live. */
export function pythonDir(): string {
  return path.join(packageRoot(), "src", "runner", "python");
}
