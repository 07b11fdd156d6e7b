import type { Context } from "probot";
import { deriveRunId } from "../commands/derive-run-id.js";
import { parseTrainComment } from "../commands/parse-train-comment.js";
import { TRAIN_HELP } from "../commands/train-help.js";
import type { TrainDeps } from "./app-deps.js";
import { judgePermission, readPermission } from "../github/authorize-commenter.js";
import { cancelTrainRuns } from "../training/cancel-train-runs.js";
import { describeError } from "../github/describe-error.js";
import { isBotSender } from "./is-bot-sender.js";
import { withKeyedLock } from "../util/keyed-lock.js";
import { readTrainConfig } from "../training/read-train-config.js";
import { replyToComment, type CommentRef } from "../github/reply-to-comment.js";
import { replyTrainStatus } from "../training/reply-train-status.js";
import { RunRegistry } from "../runs/run-registry.js";
import { refuse, runTrainCommand } from "../training/run-train-command.js";
import { approveFork } from "../training/approve-fork.js";

/**
 * issue_comment.created whose first line starts with `/train`, on a pull request. Bots, plain
 * issues and other comments are ignored (debug log); edited comments never reach here (only
 * `created` is subscribed). `help` and `status` are read-only and need no permission; a run and
 * a cancel need the configured one. Commands of one PR are handled one at a time.
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
    const octokit = context.octokit;
    const log = context.log.child({ deliveryId: context.id, repo: `${ref.owner}/${ref.repo}`, pr: ref.issueNumber, comment: ref.commentId });

    await withKeyedLock(`train:${ref.owner}/${ref.repo}#${ref.issueNumber}`, async () => {
      try {
        if (!parsed.ok) {
          await refuse(octokit, ref, `That \`/train\` command has a problem: ${parsed.error.message}`, true);
          return;
        }
        const command = parsed.command;
        if (command.kind === "help") {
          await replyToComment(octokit, ref, TRAIN_HELP);
          return;
        }
        if (command.kind === "status") {
          await replyTrainStatus(octokit, ref, train, null, clock);
          return;
        }
        if (command.kind === "run") {
          // A redelivery of a command already submitted costs one store read, no GitHub call.
          const earlier = await new RunRegistry(train.store).readRequest(ref.owner, ref.repo, deriveRunId(ref.commentId));
          if (earlier?.submittedAt) {
            log.info({ runId: earlier.runId }, "run already submitted for this comment (redelivered webhook); nothing to do");
            return;
          }
        }
        if (issue.state === "closed") {
          await refuse(octokit, ref, "This pull request is closed, so nothing was done. Reopen it first.");
          return;
        }
        // Independent reads go out together: each is a round trip to GitHub.
        const pull = command.kind === "run" || command.kind === "approve" ? octokit.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: ref.issueNumber }) : undefined;
        pull?.catch(() => {});
        const permission = readPermission(octokit, ref, ref.commenter);
        permission.catch(() => {});
        const config = await readTrainConfig(context);
        if (!config.ok) {
          await refuse(octokit, ref, config.message);
          return;
        }
        if (command.kind === "approve") {
          // Maintainers approve, whatever train.permission lets run: the approval vouches for a stranger's code.
          const { data: pr } = await pull!;
          const outcome = await approveFork({ owner: ref.owner, repo: ref.repo, pull: pr, headSha: pr.head.sha, by: ref.commenter, permission: await permission }, train, clock());
          if (!outcome.ok) {
            await refuse(octokit, ref, outcome.message);
            return;
          }
          await replyToComment(octokit, ref, outcome.message);
          return;
        }
        const allowed = judgePermission(await permission, config.config.permission);
        if (!allowed.ok) {
          log.info({ commenter: ref.commenter, permission: allowed.permission }, "refused /train: not enough permission");
          await refuse(octokit, ref, allowed.message);
          return;
        }
        if (command.kind === "cancel") {
          await cancelTrainRuns(octokit, command, ref, train, clock);
          return;
        }
        await runTrainCommand(command, { context, ref, config: config.config, installationId: installation.id, train, now: clock, pull: pull! });
      } catch (error) {
        const reason = describeError(error);
        log.error({ reason }, "/train failed");
        await refuse(octokit, ref, `nbtrain could not handle this command: ${reason}\n\nNothing was trained. Try again; if it keeps failing, give the app's operator delivery id \`${context.id}\`.`);
      }
    });
  };
}
