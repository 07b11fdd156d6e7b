import type { CheckTarget } from "../github/check-target.js";

/** The parts of a check suite (from check_run or check_suite events) that say what was checked. */
export interface SuiteInfo {
  head_sha: string;
  head_branch: string | null;
  before: string | null;
  pull_requests: ReadonlyArray<{ number: number; head: { sha: string }; base: { sha: string } }>;
}

/**
 * What to re-check for a re-run request: the suite's pull request when it has one (same-repository
 * PRs only; GitHub lists no fork PRs here), else the push that made the suite.
 */
export function targetFromCheckSuite(repository: { owner: { login: string }; name: string; default_branch: string }, suite: SuiteInfo): CheckTarget {
  const owner = repository.owner.login;
  const repo = repository.name;
  const pr = suite.pull_requests.find((candidate) => candidate.head.sha === suite.head_sha) ?? suite.pull_requests[0];
  if (pr) return { kind: "pull_request", owner, repo, number: pr.number, headSha: suite.head_sha, baseSha: pr.base.sha };
  const before = suite.before && !/^0+$/u.test(suite.before) ? suite.before : null;
  return {
    kind: "push",
    owner,
    repo,
    headSha: suite.head_sha,
    beforeSha: before,
    branch: suite.head_branch ?? repository.default_branch,
    defaultBranch: repository.default_branch,
    payloadPaths: [],
  };
}
