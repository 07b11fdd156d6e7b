/**
 * Runs a dynamic `import()` of an AWS SDK v3 client package and names the package when it fails.
 * The caller passes the import itself (`() => import("@aws-sdk/client-ssm")`) so the bundler sees
 * a literal specifier: esbuild bundles the pinned package as a lazy chunk, read only when that path
 * runs, instead of relying on whatever SDK version the Lambda runtime happens to ship.
 */
export async function loadAwsSdk<T>(packageName: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    throw new Error(`Cannot load ${packageName} (${reason}). Rebuild the functions with \`npm run build:functions\`, which bundles it.`);
  }
}
