import type { GitHubClient } from "../github/github-client.js";
import { RERUN_ACTION } from "./train-check-name.js";

/** Completes a training check run with a conclusion and offers Re-run in place of Cancel. */
export async function completeTrainCheckRun(
  octokit: GitHubClient,
  ref: { owner: string; repo: string; checkRunId: number },
  report: { conclusion: "success" | "failure" | "cancelled" | "timed_out"; title: string; summary: string },
  now: Date,
  detailsUrl?: string | null,
): Promise<void> {
  await octokit.rest.checks.update({
    owner: ref.owner,
    repo: ref.repo,
    check_run_id: ref.checkRunId,
    status: "completed",
    conclusion: report.conclusion,
    completed_at: now.toISOString(),
    output: { title: report.title, summary: report.summary },
    actions: [RERUN_ACTION],
    ...(detailsUrl ? { details_url: detailsUrl } : {}),
  });
}
