// How an allow-list entry of the deployment policy admits a value: Batch queues and job
// definitions by name or ARN pattern, store locations by path prefix.

/** True when `value` matches the glob `pattern`, in which `*` matches any run of characters. */
export function matchesPattern(value: string, pattern: string): boolean {
  const source = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\/]/gu, "\\$&")).join(".*");
  return new RegExp(`^${source}$`, "u").test(value);
}

/**
 * Whether a Batch queue or job definition is allowed. Names match name entries and ARNs match ARN
 * entries: a name entry never admits an ARN, which could point into another account. A job
 * definition's `:revision` is ignored unless the entry itself names one.
 */
export function batchResourceAllowed(value: string, entries: string[]): boolean {
  const isArn = value.startsWith("arn:");
  return entries.some((entry) => {
    if (entry.startsWith("arn:") !== isArn) return false;
    if (matchesPattern(value, entry)) return true;
    const revision = /:\d+$/u;
    return revision.test(value) && !revision.test(entry) && matchesPattern(value.replace(revision, ""), entry);
  });
}

/** Whether a store location is one of the entries or inside one (whole path segments: `s3://b/runs` does not admit `s3://b/runs2`). */
export function storeAllowed(uri: string, entries: string[]): boolean {
  if (/(^|\/)\.\.?(\/|$)/u.test(uri.replace(/^[a-z0-9]+:\/\//u, ""))) return false;
  const trim = (text: string): string => text.replace(/\/+$/u, "");
  const location = trim(uri);
  return entries.some((entry) => {
    const base = trim(entry);
    return location === base || location.startsWith(`${base}/`);
  });
}
