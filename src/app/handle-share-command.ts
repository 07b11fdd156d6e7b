import type { Context } from "probot";
import { parseShareComment } from "../review-copies/plan/parse-share-comment.js";
import { runShareCommand, type ShareCommandDeps } from "../review-copies/run-share-command.js";
import { isBotSender } from "./is-bot-sender.js";

/** issue_comment.created with `/share` on a pull request, by a person: runs the command (see runShareCommand). */
export function handleShareCommand(deps: ShareCommandDeps) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    if (isBotSender(context)) return;
    const { comment, issue } = context.payload;
    if (comment.user?.type === "Bot" || !issue.pull_request) return;
    const command = parseShareComment(comment.body ?? "");
    if (command === null) return;
    await runShareCommand(context, command, deps);
  };
}
