import { chmod, cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { bundleFunction, type BundleResult } from "./bundle-function.js";
import { eagerInputs } from "./eager-inputs.js";
import { findHeavySdks } from "./heavy-sdk.js";
import { BUNDLED_ASSET_DIR, pageAssetFiles } from "../../src/run-page/page-assets.js";

/** The deployable units and where their entries live in the repository. */
export const FUNCTION_ENTRIES = {
  webhook: "functions/webhook.ts",
  "batch-events": "functions/batch-events.ts",
} as const;

/** `nbtrain-runner` in the image: it reads the job from the `NBTRAIN_*` environment Batch passes (or a spec file). */
export const RUNNER_ENTRY = "src/runner/job-entry.ts";

export interface BuiltFunction extends BundleResult {
  name: string;
  dir: string;
  /** Bytes of the entry and the chunks it imports statically: what a cold start loads. */
  eagerBytes: number;
  /** Heavy SDK packages on the import-time path (must be empty for the functions). */
  eagerHeavySdks: string[];
}

/**
 * Builds <outRoot>/functions/<name>/ for each Lambda (bundle, chunks, templates/*.md next to it for
 * loadTemplates(), and a package.json for `sam build`) and <outRoot>/runner-image/ for the runner's
 * container image (outRoot is dist/ by default). Throws when a function loads a heavy SDK at import time.
 */
export async function buildFunctions(root: string, outRoot = path.join(root, "dist")): Promise<{ functions: BuiltFunction[]; runner: BundleResult }> {
  const functions: BuiltFunction[] = [];
  const markdown = (await readdir(path.join(root, "templates"))).filter((file) => file.endsWith(".md"));
  const pageAssets = await pageAssetFiles();
  for (const [name, entry] of Object.entries(FUNCTION_ENTRIES)) {
    const dir = path.join(outRoot, "functions", name);
    await rm(dir, { recursive: true, force: true });
    const bundle = await bundleFunction(path.join(root, entry), dir, name);
    await mkdir(path.join(dir, "templates"), { recursive: true });
    for (const file of markdown) await cp(path.join(root, "templates", file), path.join(dir, "templates", file));
    // The run page's uPlot and script, served from the function URL (src/run-page/page-assets.ts finds them here).
    await mkdir(path.join(dir, BUNDLED_ASSET_DIR), { recursive: true });
    for (const asset of pageAssets) await cp(asset.file, path.join(dir, BUNDLED_ASSET_DIR, asset.name));
    await writeFile(path.join(dir, "package.json"), `${JSON.stringify({ name: `nbtrain-${name}`, version: "0.0.0", private: true, type: "module" }, null, 2)}\n`);
    const eager = eagerInputs(bundle.metafile, bundle.entry);
    const eagerHeavySdks = findHeavySdks(eager.inputs);
    if (eagerHeavySdks.length > 0) throw new Error(`${entry} loads ${eagerHeavySdks.join(", ")} at import time; import them lazily, on the path that uses them.`);
    functions.push({ ...bundle, name, dir, eagerBytes: eager.bytes, eagerHeavySdks });
  }

  // The runner finds its Python shim from the folder holding nbtrain's package.json.
  const image = path.join(outRoot, "runner-image");
  await rm(image, { recursive: true, force: true });
  const runner = await bundleFunction(path.join(root, RUNNER_ENTRY), path.join(image, "bin"), "nbtrain-runner");
  const code = await readFile(runner.entry, "utf8");
  await writeFile(runner.entry, `#!/usr/bin/env node\n${code}`);
  await chmod(runner.entry, 0o755);
  await cp(path.join(root, "src/runner/python"), path.join(image, "src/runner/python"), { recursive: true, filter: (source) => !source.includes("__pycache__") });
  await writeFile(path.join(image, "package.json"), `${JSON.stringify({ name: "nbtrain", version: "0.0.0", private: true, type: "module" }, null, 2)}\n`);
  return { functions, runner };
}
