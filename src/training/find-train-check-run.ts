import type { GitHubClient } from "../github/github-client.js";

export interface TrainCheckRun {
  id: number;
  externalId: string | null;
  status: string;
  htmlUrl: string | null;
}

/**
 * The check runs named `name` on `headSha` (all of them, not only the latest), in one request
 * per 100. This is how a redelivered webhook finds the run it already started: its
 * `external_id` is the run id.
 */
export async function listTrainCheckRuns(octokit: GitHubClient, ref: { owner: string; repo: string; headSha: string; name: string }): Promise<TrainCheckRun[]> {
  const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
    owner: ref.owner,
    repo: ref.repo,
    ref: ref.headSha,
    check_name: ref.name,
    filter: "all",
    per_page: 100,
  });
  return runs.map((run) => ({ id: run.id, externalId: run.external_id ?? null, status: run.status, htmlUrl: run.html_url ?? null }));
}

/** The check run of `runId` on `headSha`, or null when there is none yet. */
export async function findTrainCheckRun(octokit: GitHubClient, ref: { owner: string; repo: string; headSha: string; name: string; runId: string }): Promise<TrainCheckRun | null> {
  return (await listTrainCheckRuns(octokit, ref)).find((run) => run.externalId === ref.runId) ?? null;
}
