import type { ContinueCommand } from "../commands/train-command.js";
import type { TrainDeps } from "./train-deps.js";
import { describeError } from "../github/describe-error.js";
import { reactToComment } from "../github/react-to-comment.js";
import { replyToComment } from "../github/reply-to-comment.js";
import { RunRegistry } from "../runs/run-registry.js";
import { admitTrainComment } from "./admit-train-comment.js";
import { continueTraining, describeContinuation } from "./continue-training.js";
import { refuse } from "./refuse-comment.js";
import type { TrainComment } from "./train-comment.js";

/**
 * `/train continue [RUN] …`: the same gate as `/train` (an open PR, the config's permission), then
 * the next segment of RUN or of the PR's most recent run that can be continued. One segment per
 * comment: a redelivered webhook finds the comment already claimed and does nothing.
 */
export async function runContinueCommand(command: ContinueCommand, comment: TrainComment, train: TrainDeps, now: () => Date): Promise<void> {
  const { octokit, ref, log } = comment;
  const registry = new RunRegistry(train.store);
  const admitted = await admitTrainComment(comment, ref.issueNumber);
  if (!admitted) return;
  // After the gate, so that a refused reader cannot use up the comment; before anything is started.
  if (!(await registry.claimDelivery(ref.owner, ref.repo, `continue-c${ref.commentId}`))) {
    log.info({ commentId: ref.commentId }, "continue already handled for this comment (redelivered webhook); nothing to do");
    return;
  }
  const outcome = await continueTraining(
    octokit,
    {
      owner: ref.owner,
      repo: ref.repo,
      pullNumber: ref.issueNumber,
      ...(command.runId ? { runId: command.runId } : {}),
      user: ref.commenter,
      installationId: comment.installationId,
      commentId: ref.commentId,
      config: admitted.config,
      pull: admitted.pull,
      parameters: command.parameters,
      ...(command.timeoutSeconds !== undefined ? { timeoutSeconds: command.timeoutSeconds } : {}),
      ...(command.budgetSeconds !== undefined ? { budgetSeconds: command.budgetSeconds } : {}),
    },
    train,
    now,
  );
  switch (outcome.kind) {
    case "refused":
      return refuse(octokit, ref, outcome.message);
    case "failed":
      return refuse(octokit, ref, `Run \`${outcome.runId}\` could not be started: ${outcome.reason}`);
    case "duplicate":
      log.info({ runId: outcome.runId }, "this segment was already started; nothing new submitted");
      return;
    case "started":
      try {
        await reactToComment(octokit, ref, "rocket");
        await replyToComment(octokit, ref, describeContinuation(outcome, command.budgetSeconds));
      } catch (error) {
        log.warn({ runId: outcome.runId, reason: describeError(error) }, "continued, but the reply failed");
      }
      log.info({ runId: outcome.runId, previous: outcome.previous }, "training continued");
  }
}
