import { CHECK_NAME, type CheckTarget } from "../github/check-target.js";
import type { GitHubClient } from "../github/github-client.js";

/** Creates the `nbtrain / notebooks` check run on the head commit, in progress, and returns its id. */
export async function startCheckRun(octokit: GitHubClient, target: CheckTarget, now: Date): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    owner: target.owner,
    repo: target.repo,
    name: CHECK_NAME,
    head_sha: target.headSha,
    status: "in_progress",
    started_at: now.toISOString(),
  });
  return data.id;
}
