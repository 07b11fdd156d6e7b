import type nock from "nock";
import { mockInstallationToken, mockNoConfig } from "./test-app.js";

// The nock scopes of the GitHub calls a pull request's check and a run's report make, on the
// fixture repository Codertocat/Hello-World. Tests add what is particular to them to the scope.

export const REPO_PATH = "/repos/Codertocat/Hello-World";
/** `.github/nbtrain.yml` in the repository, as Octokit requests it. */
export const CONFIG_PATH = `${REPO_PATH}/contents/${encodeURIComponent(".github/nbtrain.yml")}`;
/** `.github/nbtrain.yml` in the owner's `.github` repository (the organisation defaults). */
export const ORG_CONFIG_PATH = `/repos/Codertocat/.github/contents/${encodeURIComponent(".github/nbtrain.yml")}`;

/** "List pull request files" for PR #2 (the fixture `pull_request.opened`), one page of 100. */
export function pullFilesPath(page?: number): string {
  return `${REPO_PATH}/pulls/2/files?per_page=100${page ? `&page=${page}` : ""}`;
}

/** A changed file as "List pull request files" gives it: added, one line. */
export function addedFile(filename: string) {
  return { filename, status: "added", sha: "s", additions: 1, deletions: 0, changes: 1 };
}

/** What every check of PR #2 reads first: the installation token and the changed files. */
export function mockPullRequestFiles(scope: nock.Scope, files: object[]): nock.Scope {
  mockInstallationToken(scope);
  return scope.get(pullFilesPath()).reply(200, files);
}

/** The token and the changed files of PR #2, in a repository with no `.github/nbtrain.yml`. */
export function mockPullRequestReads(scope: nock.Scope, files: object[]): nock.Scope {
  return mockNoConfig(mockPullRequestFiles(scope, files));
}

/**
 * The end of a check or a run report: the check run's update, then the sticky comment looked up
 * (none yet) and created. `onUpdate` sees each update body, `comment` may refuse a comment body.
 */
export function mockCheckRunAndComment(
  scope: nock.Scope,
  checkRunId: number,
  options: { pull?: number; onUpdate?: (body: any) => void; times?: number; comment?: (body: string) => boolean } = {},
): nock.Scope {
  const { pull = 2, onUpdate, times = 1, comment } = options;
  return scope
    .patch(`${REPO_PATH}/check-runs/${checkRunId}`, (body: any) => (onUpdate?.(body), true))
    .times(times)
    .reply(200, { id: checkRunId })
    .get(`${REPO_PATH}/issues/${pull}/comments?per_page=100`)
    .reply(200, [])
    .post(`${REPO_PATH}/issues/${pull}/comments`, (body: { body: string }) => comment?.(body.body) ?? true)
    .reply(201, { id: 5 });
}
