import type { TrainConfig } from "../config/train-config.js";
import { judgePermission, readPermission } from "../github/authorize-commenter.js";
import type { GitHubClient } from "../github/github-client.js";
import type { TrainConfigResult } from "./read-train-config.js";

export type PullRequest = Awaited<ReturnType<GitHubClient["rest"]["pulls"]["get"]>>["data"];

/** What a training command may act on, or why it may not. */
export type TrainInputs<P> = { ok: true; config: TrainConfig; pull: P } | { ok: false; message: string; permission?: string };

interface Who {
  owner: string;
  repo: string;
  /** Who wrote the command or clicked the button. */
  user: string;
  readConfig: () => Promise<TrainConfigResult>;
}

/**
 * The reads a training command needs before it acts, sent together since each is a round trip
 * to GitHub: the repository's `train` config, the user's permission and, for a run, the pull
 * request. They are judged in a fixed order (config, then permission, then the PR) whatever
 * answers first, so a broken config is said before a refusal, and a refusal before a PR error.
 */
export async function readTrainInputs(octokit: GitHubClient, who: Who, pullNumber: number): Promise<TrainInputs<PullRequest>>;
export async function readTrainInputs(octokit: GitHubClient, who: Who): Promise<TrainInputs<null>>;
export async function readTrainInputs(octokit: GitHubClient, who: Who, pullNumber?: number): Promise<TrainInputs<PullRequest | null>> {
  const [config, permission, pull] = await Promise.allSettled([
    who.readConfig(),
    readPermission(octokit, who, who.user),
    pullNumber === undefined ? Promise.resolve(null) : octokit.rest.pulls.get({ owner: who.owner, repo: who.repo, pull_number: pullNumber }).then((response) => response.data),
  ]);
  const read = settled(config);
  if (!read.ok) return { ok: false, message: read.message };
  const allowed = judgePermission(settled(permission), read.config.permission);
  if (!allowed.ok) return { ok: false, message: allowed.message, permission: allowed.permission };
  return { ok: true, config: read.config, pull: settled(pull) };
}

function settled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === "rejected") throw result.reason;
  return result.value;
}
