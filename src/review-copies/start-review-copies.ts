import type { Context } from "probot";
import type { ShareSettings } from "../config/share-config.js";
import { describeError } from "../github/describe-error.js";
import type { GitHubClient } from "../github/github-client.js";
import { openReviewCopySession, type ReviewCopySession, type ShareDeps } from "./share-review-copies.js";

/** The parts of a pull request (from an event, or as the API returns it) this step reads. */
export interface PullRequestLike {
  number: number;
  state: string;
  /** Users (with a login) and teams (without one: they cannot be mapped to an email). */
  requested_reviewers?: ReadonlyArray<unknown> | null;
  head: { repo?: { full_name?: string } | null };
  base: { repo?: { full_name?: string } | null };
}

/**
 * The review-copy session for a pull request, or undefined when the app or the repository does
 * not share (then nothing here calls Drive or GitHub) or the PR is no longer open (a re-run of a
 * closed PR's check must not bring its copies back).
 *
 * A PR from a fork gets no automatic copies: anyone can open one, and its content would land in
 * the organisation's Drive, shared. Its notebooks show why, and a maintainer's `/share`
 * (`onDemand`) copies them. Reviewers are the PR's requested reviewers and everyone who has
 * reviewed, since GitHub drops a reviewer from the requested list once they review.
 */
export async function startReviewCopies(
  context: Context,
  target: { owner: string; repo: string; number: number; headSha: string },
  settings: ShareSettings | null,
  deps: ShareDeps | undefined,
  options: { pr?: PullRequestLike; onDemand?: boolean } = {},
): Promise<ReviewCopySession | undefined> {
  if (!deps || !settings) return undefined;
  const octokit = context.octokit;
  const { owner, repo } = target;
  const log = context.log.child({ deliveryId: context.id, repo: `${owner}/${repo}`, pr: target.number });
  const repoId = (context.payload as { repository?: { id?: number } }).repository?.id;
  let pr = options.pr?.number === target.number ? options.pr : undefined;
  try {
    pr ??= (await octokit.rest.pulls.get({ owner, repo, pull_number: target.number })).data;
  } catch (error) {
    log.warn({ reason: describeError(error) }, "could not read the pull request; no review copies this time");
    return undefined;
  }
  if (typeof repoId !== "number" || pr.state !== "open") {
    log.info({ state: pr.state }, "pull request not open; no review copies");
    return undefined;
  }
  const fork = pr.head.repo?.full_name !== pr.base.repo?.full_name;
  if (fork && !options.onDemand) {
    return withheldSession("this pull request comes from a fork, so its notebooks are not copied to Google Drive automatically. A maintainer can comment /share to copy them.");
  }
  let reviewers: string[] | null = [];
  if (settings.audience === "reviewers") {
    try {
      reviewers = await listReviewers(octokit, { owner, repo, number: target.number }, pr);
    } catch (error) {
      log.warn({ reason: describeError(error) }, "could not read the pull request's reviews; review copy permissions left as they are");
      reviewers = null;
    }
  }
  return openReviewCopySession({ deps, settings, pr: { ...target, repoId }, reviewers, log });
}

async function listReviewers(octokit: GitHubClient, target: { owner: string; repo: string; number: number }, pr: PullRequestLike): Promise<string[]> {
  const reviewed = await octokit.paginate(octokit.rest.pulls.listReviews, { owner: target.owner, repo: target.repo, pull_number: target.number, per_page: 100 }, (response) =>
    response.data.filter((review) => review.user?.type !== "Bot").map((review) => review.user?.login),
  );
  const requested = (pr.requested_reviewers ?? []).map((user) => user as { login?: unknown; type?: unknown } | null).filter((user) => user?.type !== "Bot").map((user) => user?.login);
  return [...new Set([...requested, ...reviewed].filter((login): login is string => typeof login === "string" && login !== ""))];
}

/** A session that copies nothing and says why on each notebook; it makes no Drive call. */
function withheldSession(reason: string): ReviewCopySession {
  return {
    share: async () => ({ kind: "withheld", reason }),
    finish: async () => undefined,
    syncPermissions: async () => undefined,
    notes: () => [],
  };
}
