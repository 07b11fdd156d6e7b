/** Where a review copy lives under the share folder: folder names, then the file's name. */
export interface ReviewCopyLocation {
  folders: string[];
  name: string;
}

/**
 * `<repo>/pr-<number>/<path>`: one folder per repository and pull request, mirroring the
 * notebook's directories, so a reviewer browsing Drive sees the repository's layout.
 */
export function reviewCopyLocation(repo: string, prNumber: number, path: string): ReviewCopyLocation {
  const segments = path.split("/").filter((segment) => segment !== "");
  const name = segments.pop() ?? path;
  return { folders: [repo, `pr-${prNumber}`, ...segments], name };
}
