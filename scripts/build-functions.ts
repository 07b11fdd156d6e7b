// `npm run build:functions`: bundles the Lambda functions and the runner image for deployment. Logic: scripts/lib/build-functions.ts.
import path from "node:path";
import { buildFunctions } from "./lib/build-functions.js";

const root = path.resolve(import.meta.dirname, "../..");
const { functions, runner } = await buildFunctions(root);
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
for (const built of functions) {
  const total = built.outputs.reduce((sum, output) => sum + output.bytes, 0);
  console.log(`${built.name.padEnd(13)} ${path.relative(root, built.entry).padEnd(44)} loaded at import ${mb(built.eagerBytes)}, with lazy chunks ${mb(total)}`);
}
console.log(`runner        ${path.relative(root, runner.entry).padEnd(44)} ${mb(runner.outputs.reduce((sum, output) => sum + output.bytes, 0))} with its chunks`);
