import type { ChangedFile, CheckTarget } from "./check-target.js";
import type { GitHubClient } from "./github-client.js";

/** GitHub's own caps on these lists. */
const PR_FILES_CAP = 3_000;
const COMPARE_FILES_CAP = 300;

/**
 * The files a pull request or push changed. Pull requests use the paginated PR files API, pushes
 * the compare API. `notes` says when GitHub's list was cut short, so the report can say so.
 */
export async function listChangedFiles(octokit: GitHubClient, target: CheckTarget): Promise<{ files: ChangedFile[]; notes: string[] }> {
  const { owner, repo } = target;
  if (target.kind === "pull_request") {
    // Map each page as it arrives so the patches GitHub sends are never all held at once.
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: target.number, per_page: 100 }, (response) =>
      response.data.map((file) => toChangedFile(file.filename, file.status, file.previous_filename)),
    );
    const notes =
      files.length >= PR_FILES_CAP
        ? [`GitHub lists at most ${PR_FILES_CAP.toLocaleString("en-US")} changed files of a pull request; notebooks beyond them were not checked.`]
        : [];
    return { files, notes };
  }

  const base = target.beforeSha ?? (target.branch === target.defaultBranch ? null : target.defaultBranch);
  if (base === null) {
    // The push created the default branch: there is nothing to compare with, so take the payload's list.
    return { files: target.payloadPaths.map((path) => ({ path, status: "added" })), notes: [] };
  }
  const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: `${base}...${target.headSha}`, per_page: 1 });
  const files = (data.files ?? []).map((file) => toChangedFile(file.filename, file.status, file.previous_filename));
  const notes =
    files.length >= COMPARE_FILES_CAP
      ? [`GitHub's compare lists at most ${COMPARE_FILES_CAP} changed files of a push; notebooks beyond them were not checked. Open a pull request to check up to 3,000.`]
      : [];
  return { files, notes };
}

function toChangedFile(path: string, status: string, previousPath: string | undefined): ChangedFile {
  return previousPath ? { path, status, previousPath } : { path, status };
}
