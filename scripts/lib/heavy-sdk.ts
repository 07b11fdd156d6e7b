/** Packages a webhook's cold start must not load: the Drive, S3 and Batch clients and their stacks. */
export const HEAVY_SDK_PATTERN = /node_modules\/(@aws-sdk|@smithy|@googleapis|googleapis|googleapis-common|google-auth-library|gaxios|gcp-metadata)\//u;

/** The inputs among `inputs` that belong to a heavy SDK, one line per package. */
export function findHeavySdks(inputs: string[]): string[] {
  const packages = new Set<string>();
  for (const input of inputs) {
    const match = HEAVY_SDK_PATTERN.exec(input);
    if (match) packages.add(input.slice(match.index).split("/").slice(1, match[1]!.startsWith("@") ? 3 : 2).join("/"));
  }
  return [...packages].sort();
}
