import type { Context } from "probot";
import type { RunCheck } from "../checks/run-check.js";
import { isBotSender } from "./is-bot-sender.js";

/** pull_request opened, synchronize, reopened, ready_for_review: check the PR's changed notebooks. */
export function handlePullRequest(runCheck: RunCheck) {
  return async (context: Context<"pull_request">): Promise<void> => {
    if (isBotSender(context)) return;
    const { pull_request: pr, repository } = context.payload;
    await runCheck(context, {
      kind: "pull_request",
      owner: repository.owner.login,
      repo: repository.name,
      number: pr.number,
      headSha: pr.head.sha,
      baseSha: pr.base.sha,
    });
  };
}
