// Writes the sha256 of the `nbtrain check` bundle beside it (dist/cli/check.cjs.sha256). bin/nbtrain.js
// names its V8 code cache after it, so a cache made for one build is never used with another.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

const bundle = process.argv[2];
if (!bundle) throw new Error("usage: node dist/scripts/stamp-cli-bundle.js BUNDLE");
writeFileSync(`${bundle}.sha256`, `${createHash("sha256").update(readFileSync(bundle)).digest("hex")}\n`);
