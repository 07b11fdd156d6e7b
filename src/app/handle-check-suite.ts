import type { Context } from "probot";
import { isBotSender } from "./is-bot-sender.js";
import type { RunCheck } from "../checks/run-check.js";
import { targetFromCheckSuite } from "../checks/target-from-check-suite.js";

/** check_suite.rerequested ("Re-run all checks"): run the notebook check again. */
export function handleCheckSuite(runCheck: RunCheck) {
  return async (context: Context<"check_suite.rerequested">): Promise<void> => {
    if (isBotSender(context)) return;
    const { check_suite: suite, repository } = context.payload;
    await runCheck(context, targetFromCheckSuite(repository, suite));
  };
}
