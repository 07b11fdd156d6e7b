import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Builds dist/ once, before any test file runs. Tests that start the built CLI, server or runner
 * rely on it; building here instead of in each file keeps parallel files from reading a half-written
 * dist/. Type errors are the typecheck step's business (tsc still emits), but a missing entry point
 * fails the whole run loudly.
 */
export default function setup(): void {
  const tsc = path.join(root, "node_modules/.bin/tsc");
  const result = spawnSync(tsc, ["-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
  if (result.error) throw result.error;
  // bin/nbtrain.js runs `nbtrain check` from one bundled file; the same script `npm run build` runs.
  const bundle = spawnSync("npm", ["run", "--silent", "build:cli"], { cwd: root, encoding: "utf8" });
  if (bundle.error) throw bundle.error;
  if (bundle.status !== 0) throw new Error(`npm run build:cli failed:\n${bundle.stdout}${bundle.stderr}`);
  const entries = ["dist/cli/check.cjs", "dist/src/cli/main.js", "dist/src/app/start-server.js", "dist/src/runner/job-entry.js"];
  const missing = entries.filter((entry) => !existsSync(path.join(root, entry)));
  if (missing.length > 0) throw new Error(`the build did not produce ${missing.join(", ")}:\n${result.stdout}${result.stderr}`);
}
