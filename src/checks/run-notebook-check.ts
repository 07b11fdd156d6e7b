import type { Context } from "probot";
import type { RepoConfig } from "../config/repo-config.js";
import { summarizeChanges, type ChangeSummary } from "../notebook/summarize-changes.js";
import { buildAnnotations } from "../report/build-annotations.js";
import type { NotebookResult, SkipReason } from "../report/notebook-result.js";
import { renderCheckOutput } from "../report/render-check-output.js";
import { renderPrComment } from "../report/render-pr-comment.js";
import { DEFAULT_COMMANDS, DEFAULT_CONCURRENCY, DEFAULT_MAX_ANNOTATIONS, type CheckDeps } from "./check-deps.js";
import type { ChangedFile, CheckTarget } from "../github/check-target.js";
import { completeCheckRun } from "./complete-check-run.js";
import { describeError } from "../github/describe-error.js";
import { failCheckRun } from "./fail-check-run.js";
import { fetchNotebook, type FetchedNotebook } from "../github/fetch-notebook.js";
import type { GitHubClient } from "../github/github-client.js";
import { listChangedFiles } from "../github/list-changed-files.js";
import { mapWithConcurrency } from "../util/map-with-concurrency.js";
import { readRepoConfig } from "../github/read-repo-config.js";
import { judgeTrainConfig } from "../config/judge-train-config.js";
import { selectNotebooks } from "../github/select-notebooks.js";
import { startCheckRun } from "./start-check-run.js";
import { upsertStickyComment } from "./upsert-sticky-comment.js";
import type { ReviewCopySession } from "../review-copies/share-review-copies.js";
import { splitShareConfig } from "../review-copies/split-share-config.js";
import { startReviewCopies, type PullRequestLike } from "../review-copies/start-review-copies.js";
import { createClaims } from "../util/claims.js";

/** How an event asks for the check. */
export interface CheckRequest {
  /** Someone chose Re-run: a new check run even when the commit has one (claimed per delivery). */
  rerun?: boolean;
  /** False for check_suite.requested: the check run only, as the comment follows pull_request events. */
  comment?: boolean;
}

/**
 * Checks the notebooks a pull request or push changed: the check run on the head commit and, for
 * a pull request, the sticky comment. Nothing is written when no selected notebook changed. A
 * failure is reported on the check run and logged with the delivery id; it is rethrown only when
 * it could not be reported.
 *
 * The check run is written only by the delivery that claims it: one per head commit whatever mix
 * of push, pull_request and check_suite events arrives on however many instances, or one per
 * delivery for a Re-run. A pull_request delivery that loses the claim still writes the comment.
 */
export async function runNotebookCheck(context: Context, target: CheckTarget, deps: CheckDeps, request: CheckRequest = {}): Promise<void> {
  const octokit = context.octokit;
  const clock = deps.clock ?? (() => new Date());
  const claims = deps.claims ?? createClaims(undefined, clock);
  const log = context.log.child({ deliveryId: context.id, repo: `${target.owner}/${target.repo}`, sha: target.headSha });
  const comment = target.kind === "pull_request" && request.comment !== false;
  let checkRunId: number | undefined;
  let ownsCheckRun: boolean | undefined;
  const claimCheckRun = async (): Promise<boolean> => {
    const key = request.rerun
      ? `reruns/${target.owner}/${target.repo}/${context.id}`
      : `checks/${target.owner}/${target.repo}/${target.headSha}/notebooks`;
    ownsCheckRun = await claims.claim(key, context.id);
    if (!ownsCheckRun) log.info({ claim: key }, "another delivery already claimed this check run; not writing it");
    return ownsCheckRun;
  };
  try {
    const { files, notes } = await listChangedFiles(octokit, target);
    if (!files.some((file) => file.status !== "removed" && file.path.toLowerCase().endsWith(".ipynb"))) {
      log.debug(`${files.length} changed files, none a notebook; nothing to check`);
      return;
    }
    const share = splitShareConfig(deps.parseRepoConfig);
    const config = await readRepoConfig(context, share.parse);
    if (!config.ok) {
      log.info({ reason: config.message }, "repository config is invalid; failing the check run");
      if (!(await claimCheckRun())) return;
      await failCheckRun(octokit, target, undefined, "Invalid .github/nbtrain.yml", `${config.message}\n\nFix this key in \`.github/nbtrain.yml\` on the default branch, then re-run this check.`, clock());
      return;
    }
    // A `train` section that names what the operator does not allow is refused like an invalid one: here first, before anyone comments /train.
    const outside = deps.train && config.config.train ? judgeTrainConfig(config.config.train, deps.train.policy, deps.train.backend) : [];
    if (outside.length > 0) {
      log.info({ keys: outside.map((refusal) => refusal.key) }, "repository config is outside the deployment's allow-lists; failing the check run");
      const list = outside.map((refusal) => `- \`${refusal.key}\`: ${refusal.message}.`).join("\n");
      await failCheckRun(octokit, target, undefined, "Training settings outside this deployment's allow-lists", `.github/nbtrain.yml names what the operator of this deployment does not allow:\n\n${list}\n\nChange these keys in \`.github/nbtrain.yml\` on the default branch, or ask the deployment's operator; then re-run this check.`, clock());
      return;
    }
    const selected = selectNotebooks(files, config.config);
    if (selected.length === 0) {
      log.debug("changed notebooks are all excluded by .github/nbtrain.yml; nothing to check");
      return;
    }

    if (!(await claimCheckRun()) && !comment) return;
    if (ownsCheckRun) checkRunId = await startCheckRun(octokit, target, clock());
    // Review copies (`share:`) only for the pull request comment; off, this makes no Drive or extra GitHub call.
    const copies = target.kind === "pull_request" && comment ? await startReviewCopies(context, target, share.settings(), deps.share, { pr: (context.payload as { pull_request?: PullRequestLike }).pull_request }) : undefined;
    const results = await mapWithConcurrency(selected, deps.concurrency ?? DEFAULT_CONCURRENCY, (file) => checkOne(octokit, target, file, config.config, deps, comment, copies));
    await copies?.finish();
    const cap = deps.maxAnnotations ?? DEFAULT_MAX_ANNOTATIONS;
    const { annotations, total } = buildAnnotations(results, cap);
    const output = renderCheckOutput({ results, notes, annotations: { total, sent: annotations.length, cap }, template: deps.templates.checkSummary });
    if (checkRunId !== undefined) {
      await completeCheckRun(octokit, target, checkRunId, output, annotations, clock());
      log.info({ notebooks: results.length, conclusion: output.conclusion, annotations: annotations.length }, "notebook check completed");
    }

    if (target.kind === "pull_request" && comment) {
      const body = renderPrComment({
        owner: target.owner,
        repo: target.repo,
        headSha: target.headSha,
        baseSha: target.baseSha,
        results,
        notes: [...notes, ...(copies?.notes() ?? [])],
        commands: deps.commands ?? DEFAULT_COMMANDS,
        template: deps.templates.prComment,
        webBase: deps.webBase,
      });
      const outcome = await upsertStickyComment(octokit, target, body, { appId: deps.appId, racing: claims.scope === "store" });
      log.debug(`sticky comment ${outcome}`);
    }
  } catch (error) {
    const reason = describeError(error);
    log.error({ deliveryId: context.id, event: context.name, reason }, "notebook check failed");
    // Another delivery owns the check run and reports on it; this one only failed at the comment.
    if (ownsCheckRun === false) return;
    try {
      await failCheckRun(
        octokit,
        target,
        checkRunId,
        "nbtrain could not finish the check",
        `${reason}\n\nThis is not a finding in your notebooks. Choose *Re-run* to try again; if it keeps failing, give the app's operator delivery id \`${context.id}\`.`,
        clock(),
      );
    } catch (reportError) {
      log.error({ deliveryId: context.id, reason: describeError(reportError) }, "could not mark the check run as failed");
      throw new Error(`notebook check failed (${reason}) and the failure could not be reported on the check run`);
    }
  }
}

async function checkOne(octokit: GitHubClient, target: CheckTarget, file: ChangedFile, config: RepoConfig, deps: CheckDeps, comment: boolean, copies?: ReviewCopySession): Promise<NotebookResult> {
  const { owner, repo } = target;
  const head = await fetchNotebook(octokit, { owner, repo, path: file.path, sha: target.headSha });
  if (head.kind !== "file") return skipped(file.path, head.kind, target.headSha);
  const report = deps.checkNotebook(file.path, head.bytes, { rules: config.rules, limits: config.limits });
  // The change summary against the base is for the comment only.
  if (target.kind !== "pull_request" || !comment) return { path: file.path, status: "checked", report };

  let changes: ChangeSummary;
  if (file.status === "added") {
    changes = summarizeChanges(null, head.text ?? head.bytes);
  } else {
    const base = await fetchNotebook(octokit, { owner, repo, path: file.previousPath ?? file.path, sha: target.baseSha });
    changes = compareWithBase(base, head.text ?? head.bytes);
  }
  const reviewCopy = copies ? await copies.share(file.path, head.bytes, report) : undefined;
  return reviewCopy ? { path: file.path, status: "checked", report, changes, reviewCopy } : { path: file.path, status: "checked", report, changes };
}

function compareWithBase(base: FetchedNotebook, head: string | Uint8Array): ChangeSummary {
  if (base.kind === "file") return summarizeChanges(base.text ?? base.bytes, head);
  // The base branch moved on and no longer has the file: everything at the head is new to it.
  if (base.kind === "not-found") return summarizeChanges(null, head);
  return { kind: "unreadable", reason: base.kind === "too-large" ? "the base version is over 100 MB" : "the base version is a submodule" };
}

function skipped(path: string, reason: SkipReason, sha: string): NotebookResult {
  const detail = {
    "not-found": `not found at ${sha.slice(0, 7)}: deleted, renamed or moved into a submodule after the event. Push again to check the current version.`,
    "too-large": "over the 100 MB GitHub serves through its contents API, so it was not checked. Clear large outputs or keep data outside the notebook.",
    submodule: "a submodule, not a file of this repository; it is checked in its own repository.",
  }[reason];
  return { path, status: "skipped", reason, detail };
}
