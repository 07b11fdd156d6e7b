import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { expect, it } from "vitest";

it("opening a store loads the S3 and Drive SDKs only behind dynamic imports", async () => {
  const outdir = await mkdtemp(path.join(tmpdir(), "nbtrain-lazy-"));
  try {
    const result = await build({
      entryPoints: [path.resolve(import.meta.dirname, "../../src/storage/open-store.ts")],
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      packages: "external",
      outdir,
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const outputs = Object.entries(result.metafile.outputs);
    const entry = outputs.find(([, output]) => output.entryPoint !== undefined);
    expect(entry).toBeDefined();
    // What a file-store user or a webhook cold start loads: the entry and its static imports.
    const eager = new Set<string>();
    const visit = (file: string) => {
      for (const imported of result.metafile.outputs[file]?.imports ?? []) {
        if (imported.kind !== "import-statement" || eager.has(imported.path)) continue;
        eager.add(imported.path);
        visit(imported.path);
      }
    };
    visit(entry![0]);
    const sdk = /^@aws-sdk\/|^@googleapis\//;
    expect([...eager].filter((p) => sdk.test(p))).toEqual([]);
    // ...and the SDKs are still there, in the chunks loaded on demand.
    const all = outputs.flatMap(([, output]) => output.imports.map((i) => i.path));
    expect(all).toEqual(expect.arrayContaining(["@aws-sdk/client-s3", "@aws-sdk/lib-storage", "@googleapis/drive"]));
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
});
