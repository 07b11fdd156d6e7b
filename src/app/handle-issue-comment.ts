import type { Context } from "probot";
import { parseTrainComment } from "../commands/parse-train-comment.js";
import { TRAIN_HELP } from "../commands/train-help.js";
import type { TrainDeps } from "./app-deps.js";
import { describeError } from "../github/describe-error.js";
import { replyToComment, type CommentRef } from "../github/reply-to-comment.js";
import { cancelTrainRuns } from "../training/cancel-train-runs.js";
import { readTrainConfig } from "../training/read-train-config.js";
import { refuse } from "../training/refuse-comment.js";
import { replyTrainStatus } from "../training/reply-train-status.js";
import { runTrainCommand } from "../training/run-train-command.js";
import { runBaselineCommand } from "../training/run-baseline-command.js";
import { approveForkCommand } from "../training/approve-fork-command.js";
import type { TrainComment } from "../training/train-comment.js";
import { withKeyedLock } from "../util/keyed-lock.js";
import { isBotSender } from "./is-bot-sender.js";

/**
 * issue_comment.created whose first line starts with `/train`, on a pull request. Bots, plain
 * issues and other comments are ignored (debug log); edited comments never reach here (only
 * `created` is subscribed). Then one dispatch on the command's kind into training/: `help` and
 * `status` are read-only and need no permission; a run and a cancel check it themselves.
 * Commands of one PR are handled one at a time.
 */
export function handleIssueComment(train: TrainDeps, clock: () => Date) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    if (isBotSender(context)) return;
    const { comment, issue, repository, installation } = context.payload;
    if (comment.user?.type === "Bot") return;
    if (!issue.pull_request) {
      context.log.debug(`ignoring comment ${comment.id}: issue #${issue.number} is not a pull request`);
      return;
    }
    const parsed = parseTrainComment(comment.body ?? "");
    if (parsed === null) return;
    if (!installation) {
      context.log.warn("ignoring /train: the event carries no installation");
      return;
    }
    const ref: CommentRef = { owner: repository.owner.login, repo: repository.name, issueNumber: issue.number, commentId: comment.id, commenter: comment.user?.login ?? "unknown" };
    const from: TrainComment = {
      ref,
      octokit: context.octokit,
      log: context.log.child({ deliveryId: context.id, repo: `${ref.owner}/${ref.repo}`, pr: ref.issueNumber, comment: ref.commentId }),
      deliveryId: context.id,
      installationId: installation.id,
      issueClosed: issue.state === "closed",
      readConfig: () => readTrainConfig(context),
    };

    await withKeyedLock(`train:${ref.owner}/${ref.repo}#${ref.issueNumber}`, async () => {
      try {
        if (!parsed.ok) return await refuse(from.octokit, ref, `That \`/train\` command has a problem: ${parsed.error.message}`, true);
        const command = parsed.command;
        switch (command.kind) {
          case "help":
            return await replyToComment(from.octokit, ref, TRAIN_HELP);
          case "status":
            return await replyTrainStatus(from.octokit, ref, train, null, clock);
          case "cancel":
            return await cancelTrainRuns(command, from, train, clock);
          case "run":
            return await runTrainCommand(command, from, train, clock);
          case "baseline":
            return await runBaselineCommand(command, from, train, clock);
          case "approve":
            return await approveForkCommand(from, train, clock);
        }
      } catch (error) {
        const reason = describeError(error);
        from.log.error({ reason }, "/train failed");
        await refuse(from.octokit, ref, `nbtrain could not handle this command: ${reason}\n\nNothing was trained. Try again; if it keeps failing, give the app's operator delivery id \`${context.id}\`.`);
      }
    });
  };
}
