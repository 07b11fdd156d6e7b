import type { CheckTarget } from "../github/check-target.js";

const ZERO_SHA = /^0+$/u;

/** The parts of a push event that say what to check. */
export interface PushInfo {
  ref: string;
  before: string;
  after: string;
  deleted?: boolean;
  repository: { owner?: { login: string } | null; name: string; default_branch: string };
  commits: ReadonlyArray<{ added?: string[] | null; modified?: string[] | null }>;
}

/**
 * What to check for a push: the new head of a branch, against the commit before it, with the
 * paths the payload names as a hint. A string instead says why the push is not checked (a
 * deleted branch, a tag, a repository without an owner login).
 */
export function targetFromPush(push: PushInfo): CheckTarget | string {
  if (push.deleted || ZERO_SHA.test(push.after)) return `ignoring push that deleted ${push.ref}`;
  if (!push.ref.startsWith("refs/heads/")) return `ignoring push to ${push.ref}, which is not a branch`;
  const owner = push.repository.owner?.login;
  if (!owner) return "ignoring push whose repository has no owner login";
  const paths = new Set(push.commits.flatMap((commit) => [...(commit.added ?? []), ...(commit.modified ?? [])]));
  return {
    kind: "push",
    owner,
    repo: push.repository.name,
    headSha: push.after,
    beforeSha: ZERO_SHA.test(push.before) ? null : push.before,
    branch: push.ref.slice("refs/heads/".length),
    defaultBranch: push.repository.default_branch,
    payloadPaths: [...paths],
  };
}
