import type { ApplicationFunction, Context } from "probot";
import type { AppDeps } from "./app-deps.js";
import type { CheckTarget } from "./check-target.js";
import { handleCheckRun } from "./handle-check-run.js";
import { handleCheckSuite } from "./handle-check-suite.js";
import { handlePullRequest } from "./handle-pull-request.js";
import { handlePush } from "./handle-push.js";
import { runNotebookCheck } from "./run-notebook-check.js";

/**
 * The Probot app: notebook checks on pull requests and pushes, and re-runs on request.
 * Checks of one pull request run one after another in this process, so two deliveries close
 * together cannot both create the sticky comment.
 */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app) => {
    const queues = new Map<string, Promise<void>>();
    const runCheck = async (context: Context, target: CheckTarget): Promise<void> => {
      if (target.kind !== "pull_request") return runNotebookCheck(context, target, deps);
      const key = `${target.owner}/${target.repo}#${target.number}`;
      const previous = queues.get(key) ?? Promise.resolve();
      const current = previous.catch(() => undefined).then(() => runNotebookCheck(context, target, deps));
      const settled = current.catch(() => undefined);
      queues.set(key, settled);
      void settled.then(() => {
        if (queues.get(key) === settled) queues.delete(key);
      });
      return current;
    };
    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.ready_for_review"], handlePullRequest(runCheck));
    app.on("push", handlePush(runCheck));
    app.on("check_run.rerequested", handleCheckRun(runCheck));
    app.on("check_suite.rerequested", handleCheckSuite(runCheck));
  };
}
