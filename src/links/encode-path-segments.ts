/**
 * Percent-encodes each `/`-separated segment of a repository path, keeping the slashes.
 * A `#`, `?`, space or non-ASCII character in a file name would otherwise end or corrupt the URL,
 * and `(`, `)` would end a Markdown link early, so those are encoded as well.
 */
export function encodePathSegments(path: string): string {
  return path
    .split("/")
    .map((segment) =>
      encodeURIComponent(segment.replace(/[\uD800-\uDFFF]/gu, "\uFFFD")).replace(/[!'()*]/gu, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join("/");
}
