import { describeError } from "../github/describe-error.js";
import type { GitHubClient } from "../github/github-client.js";
import type { Comparison, RunRegistry } from "../runs/run-registry.js";

// One page of the base branch's history below the merge base: a baseline older than that says little.
const HISTORY = 100;

/**
 * The baseline a PR run of `notebook` is compared with: the one recorded at the PR's merge base
 * with `baseRef`, else the nearest earlier one in the base branch's first-parent history (up to
 * 100 commits back). Only baselines that baseline runs wrote at default-branch commits exist to be
 * found; what PR runs once wrote under the old keys is never read.
 */
export async function findBaseline(octokit: GitHubClient, registry: RunRegistry, run: { owner: string; repo: string; baseRef: string; headSha: string; notebook: string }): Promise<Comparison> {
  const { owner, repo, baseRef, notebook } = run;
  const none = (mergeBase: string | null, why: string): Comparison => ({ kind: "none", branch: baseRef, mergeBase, why });
  const offer = "A maintainer can comment `/train baseline` on this PR to train one at the merge base.";
  const commits = await registry.listBaselineCommits(owner, repo, baseRef, notebook);
  // No GitHub call when there is nothing to find.
  if (commits.size === 0) return none(null, `No baseline of this notebook exists on \`${baseRef}\` yet. ${offer}`);
  let mergeBase: string;
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: `${baseRef}...${run.headSha}`, per_page: 1 });
    mergeBase = data.merge_base_commit.sha;
  } catch (error) {
    return none(null, `No comparison: the merge base with \`${baseRef}\` could not be read (${describeError(error)}).`);
  }
  const found = async (commit: string, relation: "merge-base" | "earlier"): Promise<Comparison | null> => {
    const baseline = await registry.readCommitBaseline(owner, repo, baseRef, notebook, commit);
    return baseline ? { kind: "baseline", relation, mergeBase, baseline } : null;
  };
  if (commits.has(mergeBase)) {
    const exact = await found(mergeBase, "merge-base");
    if (exact) return exact;
  }
  const { data: history } = await octokit.rest.repos.listCommits({ owner, repo, sha: mergeBase, per_page: HISTORY });
  for (const commit of history.slice(1)) {
    if (!commits.has(commit.sha)) continue;
    const earlier = await found(commit.sha, "earlier");
    if (earlier) return earlier;
  }
  return none(mergeBase, `No baseline of this notebook on \`${baseRef}\` at the merge base \`${mergeBase.slice(0, 7)}\` or in the ${HISTORY} commits before it. ${offer}`);
}
