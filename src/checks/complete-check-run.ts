import type { Annotation } from "../report/build-annotations.js";
import { GITHUB_LIMITS } from "../report/github-limits.js";
import type { CheckOutput } from "../report/render-check-output.js";
import type { CheckTarget } from "../github/check-target.js";
import type { GitHubClient } from "../github/github-client.js";

/**
 * Sends the annotations in batches of 50 (GitHub appends them across updates) and completes the
 * check run with the last batch, so a run with n annotations costs max(1, ⌈n/50⌉) updates.
 */
export async function completeCheckRun(
  octokit: GitHubClient,
  target: CheckTarget,
  checkRunId: number,
  output: CheckOutput,
  annotations: readonly Annotation[],
  now: Date,
): Promise<void> {
  const size = GITHUB_LIMITS.annotationsPerRequest;
  const batches: Annotation[][] = [];
  for (let at = 0; at < annotations.length; at += size) batches.push(annotations.slice(at, at + size));
  const last = batches.pop() ?? [];
  const params = { owner: target.owner, repo: target.repo, check_run_id: checkRunId };
  for (const batch of batches) {
    await octokit.rest.checks.update({ ...params, output: { title: output.title, summary: output.summary, annotations: batch } });
  }
  await octokit.rest.checks.update({
    ...params,
    status: "completed",
    conclusion: output.conclusion,
    completed_at: now.toISOString(),
    output: { title: output.title, summary: output.summary, text: output.text, ...(last.length > 0 ? { annotations: last } : {}) },
  });
}
