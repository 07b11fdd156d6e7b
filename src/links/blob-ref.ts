/** A file in a repository, pinned to a commit. `path` is the repository path, unencoded. */
export interface BlobRef {
  owner: string;
  repo: string;
  sha: string;
  path: string;
}
