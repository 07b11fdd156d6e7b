/** The check run's name on the head commit. Re-run requests are matched on it. */
export const CHECK_NAME = "nbtrain / notebooks";

/** What one notebook check looks at: a pull request's changes, or a push's. */
export type CheckTarget =
  | {
      kind: "pull_request";
      owner: string;
      repo: string;
      number: number;
      headSha: string;
      baseSha: string;
    }
  | {
      kind: "push";
      owner: string;
      repo: string;
      headSha: string;
      /** The commit before the push; null when the push created the branch. */
      beforeSha: string | null;
      /** Branch name, without `refs/heads/`. */
      branch: string;
      defaultBranch: string;
      /** Paths the push payload lists as added or modified; used when there is no base to compare. */
      payloadPaths: string[];
    };

/** A file the change touched, as GitHub lists it. */
export interface ChangedFile {
  path: string;
  status: string;
  /** For a rename, the path at the base. */
  previousPath?: string;
}
