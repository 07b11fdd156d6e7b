import { GITHUB_LIMITS } from "../report/github-limits.js";
import { truncateText } from "../report/truncate-text.js";
import { CHECK_NAME, type CheckTarget } from "../github/check-target.js";
import type { GitHubClient } from "../github/github-client.js";

/**
 * Completes the check run as a failure with `title` and a Markdown `summary`, creating the run when
 * `checkRunId` is undefined (the failure came before it was started).
 */
export async function failCheckRun(
  octokit: GitHubClient,
  target: CheckTarget,
  checkRunId: number | undefined,
  title: string,
  summary: string,
  now: Date,
): Promise<void> {
  const output = {
    title: title.slice(0, 200),
    summary: truncateText(summary, GITHUB_LIMITS.checkRunSummary, "\n\n_…truncated._"),
  };
  const completion = { status: "completed" as const, conclusion: "failure" as const, completed_at: now.toISOString(), output };
  if (checkRunId === undefined) {
    await octokit.rest.checks.create({ owner: target.owner, repo: target.repo, name: CHECK_NAME, head_sha: target.headSha, ...completion });
  } else {
    await octokit.rest.checks.update({ owner: target.owner, repo: target.repo, check_run_id: checkRunId, ...completion });
  }
}
