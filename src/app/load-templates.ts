import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Templates } from "./app-deps.js";

/**
 * Reads templates/*.md from the package root, found by walking up from this file so it works
 * both from `src/` (tests) and from `dist/src/` (the built server).
 */
export async function loadTemplates(root = findPackageRoot()): Promise<Templates> {
  const read = (name: string): Promise<string> => readFile(join(root, "templates", name), "utf8");
  const [prComment, checkSummary] = await Promise.all([read("pr-comment.md"), read("check-summary.md")]);
  return { prComment, checkSummary };
}

/** The nearest folder above this module holding templates/pr-comment.md. */
export function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "templates", "pr-comment.md"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("templates/pr-comment.md not found above the app's code; run from an nbtrain checkout or package.");
    dir = parent;
  }
}
