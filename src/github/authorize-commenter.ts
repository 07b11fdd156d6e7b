import type { TrainPermission } from "../config/train-config.js";
import type { GitHubClient } from "./github-client.js";

const RANK: Record<string, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

export type Authorization = { ok: true; permission: string } | { ok: false; permission: string; message: string };

/**
 * Whether `username` holds at least `required` on the repository, through the collaborator
 * permission API. `role_name` (which knows triage and maintain) is preferred over the legacy
 * `permission` field. A 404 means not a collaborator: refused, not an error.
 */
export async function authorizeCommenter(octokit: GitHubClient, repo: { owner: string; repo: string }, username: string, required: TrainPermission): Promise<Authorization> {
  return judgePermission(await readPermission(octokit, repo, username), required);
}

/** The user's permission on the repository: `none` when GitHub says they are not a collaborator (404). */
export async function readPermission(octokit: GitHubClient, repo: { owner: string; repo: string }, username: string): Promise<string> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: repo.owner, repo: repo.repo, username });
    const role = (data as { role_name?: string }).role_name;
    return role && role in RANK ? role : data.permission;
  } catch (error) {
    if ((error as { status?: unknown }).status !== 404) throw error;
    return "none";
  }
}

/** Whether `permission` is at least `required`, with the refusal to show when it is not. */
export function judgePermission(permission: string, required: TrainPermission): Authorization {
  if ((RANK[permission] ?? 0) >= RANK[required]!) return { ok: true, permission };
  return {
    ok: false,
    permission,
    message: `\`/train\` needs **${required}** permission on this repository and you have **${permission}**. Ask a maintainer to run it, or to change \`train.permission\` in \`.github/nbtrain.yml\`.`,
  };
}
