import { build, type Metafile } from "esbuild";
import path from "node:path";

export interface BundleResult {
  /** The entry bundle's path. */
  entry: string;
  /** Every output file, entry and chunks, with its size. */
  outputs: Array<{ path: string; bytes: number }>;
  metafile: Metafile;
}

// Bundled CommonJS dependencies call `require`; an ESM bundle has none, so the banner makes one.
const CJS_BANNER = "import { createRequire as __nbtrainCreateRequire } from 'node:module'; const require = __nbtrainCreateRequire(import.meta.url);";

/**
 * Bundles one Lambda entry the way every nbtrain function is bundled: ESM, platform node,
 * target node24 (the Lambda runtime, templates/sam.yaml), minified, code splitting on, so each dynamic `import()` (the Drive, S3 and
 * Batch clients) becomes a chunk that is read only when its path runs.
 */
export async function bundleFunction(entry: string, outdir: string, name: string): Promise<BundleResult> {
  const result = await build({
    entryPoints: { [name]: entry },
    outdir,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: "linked",
    legalComments: "linked",
    banner: { js: CJS_BANNER },
    metafile: true,
    logLevel: "warning",
  });
  const outputs = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith(".mjs"))
    .map(([file, output]) => ({ path: path.resolve(file), bytes: output.bytes }));
  return { entry: path.join(outdir, `${name}.mjs`), outputs, metafile: result.metafile };
}
