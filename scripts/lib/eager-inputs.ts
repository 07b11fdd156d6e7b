import path from "node:path";
import type { Metafile } from "esbuild";

/** What an entry loads at import time. */
export interface EagerPath {
  /** Output files: the entry and every chunk it reaches by static imports. */
  outputs: string[];
  /** Their bytes: what a cold start reads and compiles. */
  bytes: number;
  /** The source files bundled into them. */
  inputs: string[];
}

/**
 * Follows static imports from the entry, never a dynamic `import()`: the code a cold start
 * actually loads.
 */
export function eagerInputs(metafile: Metafile, entryFile: string): EagerPath {
  const outputs = metafile.outputs;
  // Dynamic-import chunks carry an entryPoint too, so the entry is found by its file name.
  const key = Object.keys(outputs).find((file) => path.resolve(file) === path.resolve(entryFile));
  if (!key) throw new Error(`${entryFile} is not an output of this build.`);
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of outputs[file]?.imports ?? []) {
      if (imported.kind === "import-statement" && !imported.external) visit(imported.path);
    }
  };
  visit(key);
  const files = [...seen];
  return { outputs: files, bytes: files.reduce((sum, file) => sum + (outputs[file]?.bytes ?? 0), 0), inputs: files.flatMap((file) => Object.keys(outputs[file]?.inputs ?? {})) };
}
