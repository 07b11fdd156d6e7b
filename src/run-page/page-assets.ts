import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** One static file of the page, with its gzip form computed once. */
export interface PageAsset {
  contentType: string;
  body: Buffer;
  gzip: Buffer;
}

/** The page's static files by their URL name; the uPlot names carry its version so they can be cached for long. */
export type PageAssets = Map<string, PageAsset>;

/** The folder a Lambda bundle keeps the files in, beside its `templates/` (see bench/lib/build-functions.ts). */
export const BUNDLED_ASSET_DIR = "page-assets";

const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

/**
 * The files to serve, by URL name: uPlot's minified build and stylesheet (from the `uplot`
 * package) and the page's own script and stylesheet (`src/run-page/assets/`). No CDN: the page
 * works on a private network. In a Lambda bundle they sit, already named, in `page-assets/`.
 */
export async function pageAssetFiles(): Promise<Array<{ name: string; file: string }>> {
  const bundled = findUp(BUNDLED_ASSET_DIR);
  if (bundled) return (await readdir(bundled)).sort().map((name) => ({ name, file: path.join(bundled, name) }));
  const require = createRequire(import.meta.url);
  const uplotDir = path.dirname(require.resolve("uplot/dist/uPlot.iife.min.js"));
  const version = (JSON.parse(await readFile(path.join(uplotDir, "..", "package.json"), "utf8")) as { version: string }).version;
  const own = findUp(path.join("src", "run-page", "assets"));
  if (!own) throw new Error("src/run-page/assets not found above the run page's code; reinstall nbtrain.");
  return [
    { name: `uplot-${version}.min.js`, file: path.join(uplotDir, "uPlot.iife.min.js") },
    { name: `uplot-${version}.min.css`, file: path.join(uplotDir, "uPlot.min.css") },
    { name: "run-page.js", file: path.join(own, "run-page.js") },
    { name: "run-page.css", file: path.join(own, "run-page.css") },
  ];
}

/** Reads and compresses the files once. */
export async function loadPageAssets(): Promise<PageAssets> {
  const assets: PageAssets = new Map();
  for (const { name, file } of await pageAssetFiles()) {
    const contentType = TYPES[path.extname(name)];
    if (!contentType) continue;
    const body = await readFile(file);
    assets.set(name, { contentType, body, gzip: gzipSync(body, { level: 9 }) });
  }
  return assets;
}

/** The asset names the page links to; without assets (they failed to load) the page still renders, unstyled. */
export function assetNames(assets: PageAssets): { uplotJs: string; uplotCss: string; pageJs: string; pageCss: string } {
  const names = [...assets.keys()];
  return {
    uplotJs: names.find((name) => name.startsWith("uplot-") && name.endsWith(".js")) ?? "uplot.min.js",
    uplotCss: names.find((name) => name.startsWith("uplot-") && name.endsWith(".css")) ?? "uplot.min.css",
    pageJs: "run-page.js",
    pageCss: "run-page.css",
  };
}

function findUp(relative: string): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, relative);
    if (existsSync(path.join(candidate, "run-page.js"))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
