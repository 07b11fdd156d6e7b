import { readTrainInputs, type PullRequest, type TrainInputs } from "./read-train-inputs.js";
import { refuse } from "./refuse-comment.js";
import type { TrainComment } from "./train-comment.js";

type Admitted<P> = Extract<TrainInputs<P>, { ok: true }>;

/**
 * The gate of a `/train` that acts (a run, a cancel): the PR must be open in the event, and the
 * config, the commenter's permission and (for a run) the PR are read together. On a refusal it
 * answers the comment and gives null.
 */
export async function admitTrainComment(comment: TrainComment, pullNumber: number): Promise<Admitted<PullRequest> | null>;
export async function admitTrainComment(comment: TrainComment): Promise<Admitted<null> | null>;
export async function admitTrainComment(comment: TrainComment, pullNumber?: number): Promise<Admitted<PullRequest | null> | null> {
  const { octokit, ref } = comment;
  if (comment.issueClosed) {
    await refuse(octokit, ref, "This pull request is closed, so nothing was done. Reopen it first.");
    return null;
  }
  const who = { owner: ref.owner, repo: ref.repo, user: ref.commenter, readConfig: comment.readConfig };
  const inputs = pullNumber === undefined ? await readTrainInputs(octokit, who) : await readTrainInputs(octokit, who, pullNumber);
  if (inputs.ok) return inputs;
  if (inputs.permission !== undefined) comment.log.info({ commenter: ref.commenter, permission: inputs.permission }, "refused /train: not enough permission");
  await refuse(octokit, ref, inputs.message);
  return null;
}
