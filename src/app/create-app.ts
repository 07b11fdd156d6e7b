import type { ApplicationFunction } from "probot";
import type { AppDeps } from "./app-deps.js";
import { handleCheckRun } from "./handle-check-run.js";
import { handleCheckSuite } from "./handle-check-suite.js";
import { handleIssueComment } from "./handle-issue-comment.js";
import { handleRequestedAction } from "./handle-requested-action.js";
import { handlePullRequest } from "./handle-pull-request.js";
import { handlePush } from "./handle-push.js";
import { handlePullRequestClosed } from "./handle-pull-request-closed.js";
import { handleReviewRequest } from "./handle-review-request.js";
import { handleShareCommand } from "./handle-share-command.js";
import { reportJobEvent } from "../training/report-job-event.js";
import { describeError } from "../github/describe-error.js";
import type { GitHubClient } from "../github/github-client.js";
import { runNotebookCheck } from "../checks/run-notebook-check.js";
import { mountRunPage } from "./mount-run-page.js";
import { handleBaselinePush } from "./handle-baseline-push.js";
import { runChecksInOrder } from "../checks/run-checks-in-order.js";
import { createClaims } from "../util/claims.js";

/**
 * The Probot app: notebook checks on pushes, pull requests and check suites, and re-runs on
 * request. One check run per commit holds across instances through `claims`; the sticky comment
 * heals itself (see upsertStickyComment). Checks of one pull request still run one after another
 * in this process, which spares GitHub calls, not correctness. With `deps.train`, it also takes
 * `/train` commands and the training check runs' buttons, and reports the backend's job state events.
 */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app, options) => {
    const withClaims: AppDeps = { ...deps, claims: deps.claims ?? createClaims(deps.train?.store, deps.clock) };
    const runCheck = runChecksInOrder((context, target, request) => runNotebookCheck(context, target, withClaims, request));
    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.ready_for_review"], handlePullRequest(runCheck));
    app.on("push", handlePush(runCheck));
    app.on("check_run.rerequested", handleCheckRun(runCheck));
    app.on(["check_suite.requested", "check_suite.rerequested"], handleCheckSuite(runCheck));
    const share = deps.share;
    if (share) {
      app.on("pull_request.closed", handlePullRequestClosed(share));
      app.on(["pull_request.review_requested", "pull_request.review_request_removed"], handleReviewRequest(share));
      app.on("issue_comment.created", handleShareCommand({ ...deps, share }));
    }

    const train = deps.train;
    if (train) {
      const clock = deps.clock ?? (() => new Date());
      app.on("issue_comment.created", handleIssueComment(train, clock));
      app.on("push", handleBaselinePush(train, clock));
      app.on("check_run.requested_action", handleRequestedAction(train, clock));
      // Before the report's listener: a run's last progress update settles before its final report.
      if (deps.page) mountRunPage(app, options?.addHandler, train, deps.page, { clock, ...(deps.webBase ? { webBase: deps.webBase } : {}) });
      train.compute.subscribe(async (event) => {
        try {
          await reportJobEvent(event, {
            octokitFor: async (installationId) => (await app.auth(installationId)) as unknown as GitHubClient,
            train,
            clock,
            ...(deps.webBase ? { webBase: deps.webBase } : {}),
            ...(deps.page ? { runPage: deps.page.settings } : {}),
          });
        } catch (error) {
          app.log.error({ runId: event.runId, status: event.status, reason: describeError(error) }, "could not report a job state event on GitHub");
        }
      });
    }
  };
}
