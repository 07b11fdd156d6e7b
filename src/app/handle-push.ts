import type { Context } from "probot";
import { isBotSender } from "./is-bot-sender.js";
import type { RunCheck } from "./run-check.js";

const ZERO_SHA = /^0+$/u;

/** push to any branch: check the pushed notebooks on the new head. Deleted branches and tags are skipped. */
export function handlePush(runCheck: RunCheck) {
  return async (context: Context<"push">): Promise<void> => {
    if (isBotSender(context)) return;
    const payload = context.payload;
    if (payload.deleted || ZERO_SHA.test(payload.after)) {
      context.log.debug(`ignoring push that deleted ${payload.ref}`);
      return;
    }
    if (!payload.ref.startsWith("refs/heads/")) {
      context.log.debug(`ignoring push to ${payload.ref}, which is not a branch`);
      return;
    }
    const owner = payload.repository.owner?.login;
    if (!owner) {
      context.log.debug("ignoring push whose repository has no owner login");
      return;
    }
    const paths = new Set(payload.commits.flatMap((commit) => [...(commit.added ?? []), ...(commit.modified ?? [])]));
    await runCheck(context, {
      kind: "push",
      owner,
      repo: payload.repository.name,
      headSha: payload.after,
      beforeSha: ZERO_SHA.test(payload.before) ? null : payload.before,
      branch: payload.ref.slice("refs/heads/".length),
      defaultBranch: payload.repository.default_branch,
      payloadPaths: [...paths],
    });
  };
}
