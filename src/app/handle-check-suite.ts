import type { Context } from "probot";
import { isBotSender } from "./is-bot-sender.js";
import type { RunCheck } from "../checks/run-check.js";
import { targetFromCheckSuite } from "../checks/target-from-check-suite.js";

/**
 * check_suite.requested (GitHub sends it once per pushed commit): the commit's check run, which
 * a push or pull_request event for the same commit may have claimed first; the comment is left to
 * pull_request events, which also come for forks (whose suites list no pull request).
 * check_suite.rerequested ("Re-run all checks"): run the notebook check again, comment included.
 */
export function handleCheckSuite(runCheck: RunCheck) {
  return async (context: Context<"check_suite.requested" | "check_suite.rerequested">): Promise<void> => {
    if (isBotSender(context)) return;
    const { check_suite: suite, repository } = context.payload;
    const rerun = context.payload.action === "rerequested";
    await runCheck(context, targetFromCheckSuite(repository, suite), rerun ? { rerun: true } : { comment: false });
  };
}
