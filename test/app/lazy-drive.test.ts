import { build } from "esbuild";
import path from "node:path";
import { expect, it } from "vitest";

it("the app's share deps load @googleapis/drive only behind a dynamic import", async () => {
  const result = await build({
    entryPoints: [path.resolve(import.meta.dirname, "../../src/app/load-share-deps.ts")],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    packages: "external",
    outdir: "/nonexistent-not-written",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const outputs = Object.entries(result.metafile.outputs);
  const entry = outputs.find(([, output]) => output.entryPoint !== undefined)!;
  const eager = new Set<string>();
  const visit = (file: string): void => {
    for (const imported of result.metafile.outputs[file]?.imports ?? []) {
      if (imported.kind !== "import-statement" || eager.has(imported.path)) continue;
      eager.add(imported.path);
      visit(imported.path);
    }
  };
  visit(entry[0]);
  expect([...eager].filter((p) => p.startsWith("@googleapis/"))).toEqual([]);
  expect(outputs.flatMap(([, output]) => output.imports.map((i) => `${i.kind} ${i.path}`))).toContain("dynamic-import @googleapis/drive");
});
