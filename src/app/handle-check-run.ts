import type { Context } from "probot";
import { CHECK_NAME } from "../github/check-target.js";
import { isBotSender } from "./is-bot-sender.js";
import type { RunCheck } from "../checks/run-check.js";
import { targetFromCheckSuite } from "../checks/target-from-check-suite.js";

/** check_run.rerequested on `nbtrain / notebooks`: run the check again in a new check run. */
export function handleCheckRun(runCheck: RunCheck) {
  return async (context: Context<"check_run.rerequested">): Promise<void> => {
    if (isBotSender(context)) return;
    const { check_run: checkRun, repository } = context.payload;
    if (checkRun.name !== CHECK_NAME) {
      context.log.debug(`ignoring re-run of check "${checkRun.name}"`);
      return;
    }
    const suite = checkRun.check_suite;
    await runCheck(
      context,
      targetFromCheckSuite(repository, {
        head_sha: checkRun.head_sha,
        head_branch: suite.head_branch ?? null,
        before: suite.before ?? null,
        pull_requests: checkRun.pull_requests,
      }),
      { rerun: true },
    );
  };
}
