import { readFileSync } from "node:fs";

let cached: string | undefined;

/**
 * nbtrain's version from its package.json, found by walking up from this module: the compiled file
 * sits in dist/src/cli, the bundled check in dist/cli, the source in src/cli.
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  for (const candidate of ["../package.json", "../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "nbtrain" && typeof pkg.version === "string") return (cached = pkg.version);
    } catch {
      // not this level; try the next one up
    }
  }
  throw new Error("cannot find nbtrain's package.json next to its code; reinstall nbtrain");
}
