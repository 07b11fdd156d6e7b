import { createRequire } from "node:module";

// A `require` of our own, not the bundler's: esbuild leaves these calls alone, so the SDK clients
// stay out of the function bundles. Node's CommonJS resolution honours NODE_PATH, which on Lambda
// includes the runtime's own AWS SDK v3, and a node_modules next to the bundle wins over it.
const requireAtRuntime = createRequire(import.meta.url);

/**
 * Loads an AWS SDK v3 client package on first use. Throws a message naming the package when it
 * is neither bundled nor provided by the Lambda runtime.
 */
export function loadAwsSdk<T>(packageName: string): T {
  try {
    return requireAtRuntime(packageName) as T;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new Error(`Cannot load ${packageName} (${reason}). Run on a Lambda Node.js runtime, which provides it, or install it next to the bundle.`);
  }
}
