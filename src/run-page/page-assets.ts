import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { packageRoot } from "../runner/package-root.js";

/** One static file of the page, with its gzip form computed once. */
export interface PageAsset {
  contentType: string;
  body: Buffer;
  gzip: Buffer;
}

/** The page's static files by their URL name; the uPlot names carry its version so they can be cached for long. */
export type PageAssets = Map<string, PageAsset>;

/**
 * Reads uPlot's minified build and stylesheet from the `uplot` package and the page's own script
 * and stylesheet from `src/run-page/assets/`, once. No CDN: the page works on a private network.
 */
export async function loadPageAssets(): Promise<PageAssets> {
  const require = createRequire(import.meta.url);
  const uplotDir = path.dirname(require.resolve("uplot/dist/uPlot.iife.min.js"));
  const version = (JSON.parse(await readFile(path.join(uplotDir, "..", "package.json"), "utf8")) as { version: string }).version;
  const own = path.join(packageRoot(), "src", "run-page", "assets");
  const files: Array<[string, string, string]> = [
    [`uplot-${version}.min.js`, path.join(uplotDir, "uPlot.iife.min.js"), "text/javascript; charset=utf-8"],
    [`uplot-${version}.min.css`, path.join(uplotDir, "uPlot.min.css"), "text/css; charset=utf-8"],
    ["run-page.js", path.join(own, "run-page.js"), "text/javascript; charset=utf-8"],
    ["run-page.css", path.join(own, "run-page.css"), "text/css; charset=utf-8"],
  ];
  const assets: PageAssets = new Map();
  for (const [name, file, contentType] of files) {
    const body = await readFile(file);
    assets.set(name, { contentType, body, gzip: gzipSync(body, { level: 9 }) });
  }
  return assets;
}

/** The asset names the page links to, found by their kind. */
export function assetNames(assets: PageAssets): { uplotJs: string; uplotCss: string; pageJs: string; pageCss: string } {
  const names = [...assets.keys()];
  return {
    uplotJs: names.find((name) => name.startsWith("uplot-") && name.endsWith(".js"))!,
    uplotCss: names.find((name) => name.startsWith("uplot-") && name.endsWith(".css"))!,
    pageJs: "run-page.js",
    pageCss: "run-page.css",
  };
}
