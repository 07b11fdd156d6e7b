import type { Context } from "probot";
import type { RunCheck } from "../checks/run-check.js";
import { targetFromPush } from "../checks/target-from-push.js";
import { isBotSender } from "./is-bot-sender.js";

/** push to any branch: check the pushed notebooks on the new head. Deleted branches and tags are skipped. */
export function handlePush(runCheck: RunCheck) {
  return async (context: Context<"push">): Promise<void> => {
    if (isBotSender(context)) return;
    const target = targetFromPush(context.payload);
    if (typeof target === "string") {
      context.log.debug(target);
      return;
    }
    await runCheck(context, target);
  };
}
