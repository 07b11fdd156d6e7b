import type { RunLine } from "../report/render-run-line.js";
import type { GitHubClient } from "../github/github-client.js";
import { upsertStickyComment } from "../checks/upsert-sticky-comment.js";

/** Writes one run's line in the Runs section of the PR's sticky comment, leaving the rest as it is. */
export async function updateRunLine(octokit: GitHubClient, pr: { owner: string; repo: string; number: number }, line: RunLine): Promise<void> {
  // A baseline run (PR 0) belongs to a default-branch commit: no PR, no sticky comment.
  if (pr.number === 0) return;
  await upsertStickyComment(octokit, pr, { kind: "run", line });
}
