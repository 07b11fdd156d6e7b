import { fileURLToPath } from "node:url";
import path from "node:path";

/** The repository root, found from this file's own location (test/support/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The shared notebook corpus, which CI keeps next to the checkout. */
export const corpusDir = path.resolve(repoRoot, "../shared/corpus");
