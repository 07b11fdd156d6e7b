import { execFileSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { FileStore } from "../../src/storage/file-store.js";
import { readStoreJson } from "../../src/runner/read-store-json.js";
import type { Store } from "../../src/storage/store.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const templates = path.join(repoRoot, "templates", "notebooks");
export const fixtures = path.join(repoRoot, "test", "fixtures", "runner");
export const NUMPY_EXAMPLE = path.join(templates, "train-spiral-numpy.ipynb");
export const TORCH_EXAMPLE = path.join(templates, "train-digits-torch.ipynb");
export const SAVE_ON_STOP_EXAMPLE = path.join(templates, "train-spiral-save-on-stop.ipynb");

/** Reads a JSON object at `key` under a run's prefix of a file store rooted at `root`. */
export async function readRunJson(store: Store, prefix: string, key: string): Promise<any> {
  return readStoreJson(store, `${prefix}${key}`);
}

export function fileStore(root: string): FileStore {
  return new FileStore(root);
}

/**
 * Bundles an entry (the runner entrypoint or the CLI) into one ESM file that a child process can
 * run, so a test can kill it with signals. The bundle sits under node_modules/.cache inside the
 * repository, because the runner finds its Python files by walking up to package.json.
 */
export async function bundle(entry: string, name: string): Promise<string> {
  const cache = path.join(repoRoot, "node_modules", ".cache", "nbtrain-test");
  mkdirSync(cache, { recursive: true });
  const outdir = await mkdtemp(path.join(cache, `${name}-`));
  const outfile = path.join(outdir, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "silent",
  });
  return outfile;
}

/**
 * Trains `notebook` for 3 epochs the way a Colab session would: its own code cells, run one after
 * another by plain Python (no nbtrain, no kernel), the parameters cell pointed at `checkpointDir`.
 */
export function trainLikeColab(notebook: string, checkpointDir: string, outputDir: string, cwd?: string): void {
  const script = [
    "import json, sys",
    "nb = json.load(open(sys.argv[1]))",
    "env = {}",
    "for cell in nb['cells']:",
    "    if cell['cell_type'] != 'code': continue",
    "    exec(''.join(cell['source']), env)",
    "    if 'parameters' in cell['metadata'].get('tags', []):",
    "        env.update(epochs=3, checkpoint_dir=sys.argv[2], output_dir=sys.argv[3], resume=False)",
  ].join("\n");
  execFileSync("/usr/bin/python3", ["-c", script, notebook, checkpointDir, outputDir], { stdio: "pipe", ...(cwd ? { cwd } : {}) });
}
