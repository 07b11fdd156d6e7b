import type { JobStateEvent } from "../compute/compute.js";
import { renderRunReport } from "../report/render-run-report.js";
import { colabContinueSnippet } from "../report/colab-continue-snippet.js";
import { runLinks } from "../report/run-links.js";
import type { ReportLink, RunConclusion, RunResultView } from "../report/run-report-input.js";
import { driveColabUrl } from "../links/drive-colab-url.js";
import type { TrainDeps } from "./train-deps.js";
import { completeTrainCheckRun } from "./complete-train-check-run.js";
import type { GitHubClient } from "../github/github-client.js";
import { runLayout } from "../runs/run-layout.js";
import { RunRegistry } from "../runs/run-registry.js";
import { CANCEL_ACTION } from "./train-check-name.js";
import { updateRunLine } from "./update-run-line.js";
import { findBaseline } from "./find-baseline.js";
import type { Comparison } from "../runs/run-registry.js";
import type { RunPageSettings } from "../run-page/run-page-settings.js";
import { runPageUrl } from "../run-page/run-page-url.js";
import { MIN_TIMEOUT_SECONDS } from "../commands/check-train-limits.js";
import { nextSegmentRunId } from "../commands/derive-run-id.js";
import { formatDuration } from "../commands/format-duration.js";
import { planNextSegment } from "../commands/plan-next-segment.js";
import { readSegmentHistory } from "./read-segment-history.js";
import { startNextSegment } from "./start-next-segment.js";
import { judgeNextSegment } from "./judge-operator-policy.js";

/** What reporting a job state event needs; the Probot app and the Batch events function both provide it. */
export interface ReportDeps {
  /** An installation-authenticated Octokit (Probot's `app.auth(id)`). */
  octokitFor: (installationId: number) => Promise<GitHubClient>;
  /** Reporting only ever removes a run's token, so any remover will do (the Batch events function has no writer). */
  train: Pick<TrainDeps, "store" | "storeUri" | "readLogTail"> & { secrets?: Pick<NonNullable<TrainDeps["secrets"]>, "remove"> };
  /** What starting a --budget chain's next segment needs (the backend, the job-token writer, the allow-lists); absent: the chain stops with a note. */
  chain?: TrainDeps;
  clock?: () => Date;
  /** Web host for check run links; `https://github.com` unless on GitHub Enterprise Server. */
  webBase?: string;
  /** The run page's settings: with a public URL, the check run links to the page and the report to its artifacts. */
  runPage?: RunPageSettings | null;
}

/**
 * Reports one job state change on GitHub: the check run goes queued → in_progress → completed
 * with a conclusion (success, failure, cancelled or timed_out), and the run's line in the sticky
 * comment follows. On completion `result.json` and `metrics.jsonl` are read from the store and
 * rendered (metrics, deltas against the base branch's last successful run, a chart, links, and
 * any failure). The local backend calls this in-process; `functions/batch-events` calls it for
 * EventBridge events. Reporting the same event twice writes the same state again.
 */
export async function reportJobEvent(event: JobStateEvent, deps: ReportDeps): Promise<void> {
  const { target, runId } = event;
  const now = deps.clock ?? (() => new Date());
  const octokit = await deps.octokitFor(target.installationId);
  const registry = new RunRegistry(deps.train.store);
  const request = await registry.readRequest(target.owner, target.repo, runId);
  const notebook = request?.notebook ?? target.notebook ?? "notebook";
  const checkRef = { owner: target.owner, repo: target.repo, check_run_id: target.checkRunId };
  const pr = { owner: target.owner, repo: target.repo, number: target.pullNumber };
  const url = `${deps.webBase ?? "https://github.com"}/${target.owner}/${target.repo}/runs/${target.checkRunId}`;
  // The run page, when the deployment serves it: every check run update renews the link's expiry.
  const pageRef = { owner: target.owner, repo: target.repo, runId };
  const page = deps.runPage ? runPageUrl(deps.runPage, pageRef, now()) : null;
  const details = page ? { details_url: page } : {};

  switch (event.status) {
    case "queued": {
      if (!event.retryOf) {
        // The check run was created queued; only the comment's line is new.
        await updateRunLine(octokit, pr, { runId, notebook, state: "queued", url });
        return;
      }
      const why = `attempt ${event.retryOf.attempt}: ${event.retryOf.reason}`;
      if (request && !request.interruptions.includes(why)) await registry.writeRequest({ ...request, interruptions: [...request.interruptions, why] });
      await octokit.rest.checks.update({
        ...checkRef,
        status: "in_progress",
        output: { title: `Attempt ${event.retryOf.attempt} interrupted; resuming as attempt ${event.attempt}`, summary: `Run \`${runId}\`: ${event.retryOf.reason}. The next attempt resumes from the latest checkpoint.` },
        actions: [CANCEL_ACTION],
        ...details,
      });
      await updateRunLine(octokit, pr, { runId, notebook, state: "retrying", attempt: event.attempt, url });
      return;
    }
    case "starting":
    case "running": {
      await octokit.rest.checks.update({
        ...checkRef,
        status: "in_progress",
        ...(event.status === "starting" && event.attempt === 1 ? { started_at: (event.at ? new Date(event.at) : now()).toISOString() } : {}),
        output: { title: `${event.status === "starting" ? "Starting" : "Running"} attempt ${event.attempt}`, summary: `Run \`${runId}\` of \`${notebook.replace(/`/gu, "'")}\` is ${event.status}.${page ? ` [Live run page](${page}).` : ""}` },
        actions: [CANCEL_ACTION],
        ...details,
      });
      if (event.status === "running") await updateRunLine(octokit, pr, { runId, notebook, state: "running", attempt: event.attempt, url });
      return;
    }
    default: {
      // The run is over: its job token (a Batch run's secret) is deleted first, whatever the report does next.
      await deps.train.secrets?.remove(runId).catch(() => undefined);
      // A missing or damaged result.json is reported as a run that ended without one.
      const result: RunResultView | null = await registry.readResult(target.owner, target.repo, runId).catch(() => null);
      const conclusion = conclusionOf(event, result);
      const series = result ? await registry.readSeries(target.owner, target.repo, runId).catch(() => []) : [];
      // A PR run is compared with the default branch's baseline at its merge base (or the nearest
      // earlier one); a baseline run is compared with nothing: it is the baseline.
      const comparison: Comparison | null =
        request && !request.baseline && result
          ? await findBaseline(octokit, registry, { owner: target.owner, repo: target.repo, baseRef: request.baseRef, headSha: request.headSha, notebook }).catch((error: unknown) => ({
              kind: "none" as const,
              branch: request.baseRef,
              mergeBase: null,
              why: `No comparison: the baseline could not be read (${error instanceof Error ? error.message : String(error)}).`,
            }))
          : null;
      if (comparison) await registry.writeComparison({ owner: target.owner, repo: target.repo, runId }, comparison);
      const baseline = comparison?.kind === "baseline" ? { commit: comparison.baseline.commit, branch: comparison.baseline.branch, relation: comparison.relation, metrics: comparison.baseline.metrics } : null;
      // A Drive store knows the executed notebook's file id, so the report can open it in Colab.
      const notebookKey = runLayout.key({ owner: target.owner, repo: target.repo, runId }, "output");
      const driveNotebookId = deps.train.store.driveFileId ? await deps.train.store.driveFileId(notebookKey).catch(() => null) : null;
      const logTail = conclusion !== "success" && event.logs && deps.train.readLogTail ? await deps.train.readLogTail(event.logs).catch(() => null) : null;
      // With a --budget, a segment that reached its timeout is followed by the next one, unless the budget is spent or it made no progress.
      const chain =
        request?.budget && result
          ? planNextSegment(
              // A runner stopped by the backend's own timeout (SIGTERM) says interrupted; the backend says why.
              { status: conclusion === "timed_out" ? "timed-out" : result.status, restoredSequence: result.restored_sequence, checkpointSequence: result.checkpoint_sequence },
              {
                budgetSeconds: request.budget.seconds,
                usedSeconds: (now().getTime() - Date.parse(request.budget.startedAt)) / 1000,
                segmentTimeoutSeconds: request.resources.timeoutSeconds,
                minSegmentSeconds: MIN_TIMEOUT_SECONDS,
              },
            )
          : null;
      const next = nextSegmentRunId(runId);
      // A chain can run for days: each segment is judged by the operator's policy as it stands
      // when the segment starts, so a queue or cap withdrawn meanwhile stops the chain.
      const nextResources = chain?.kind === "continue" && request ? { ...request.resources, timeoutSeconds: Math.max(MIN_TIMEOUT_SECONDS, Math.floor(chain.timeoutSeconds)) } : null;
      const policy = nextResources && deps.chain ? judgeNextSegment(nextResources, deps.chain) : { ok: true as const };
      const chainNote =
        chain === null || (chain.kind === "stop" && chain.reason === "completed")
          ? null
          : chain.kind === "continue" && !deps.chain
            ? `the next segment cannot be started from here (no backend to submit to); \`/train continue ${runId}\` goes on by hand.`
            : chain.kind === "continue" && !policy.ok
            ? `the chain stops here: the deployment's policy no longer allows the next segment. ${policy.message} Then \`/train continue ${runId}\` goes on.`
            : chain.kind === "continue"
            ? `segment ${next.number} (run \`${next.runId}\`) continues from this run's latest checkpoint, with up to ${formatDuration(chain.timeoutSeconds)}.`
            : `the chain stops here: ${chain.message}. \`/train continue ${runId}\` goes on by hand.`;
      const segments = request ? await readSegmentHistory(registry, request, deps.webBase ?? "https://github.com") : [];
      const report = renderRunReport({
        runId,
        notebook,
        conclusion,
        ...(event.reason ? { reason: event.reason } : {}),
        attempt: result?.attempt ?? event.attempt,
        interruptions: request?.interruptions ?? [],
        result,
        series,
        baseline,
        baselineNote: comparison?.kind === "none" ? comparison.why : null,
        baselineOf: request?.baseline ?? null,
        links: deps.runPage?.publicUrl ? pageLinks(deps.runPage, pageRef, now(), driveNotebookId, event.logs) : runLinks(deps.train.storeUri, runLayout.prefix(pageRef), event.logs, { driveNotebookId }),
        colabSnippet: colabContinueSnippet(deps.train.storeUri, runLayout.prefix(pageRef)),
        logTail,
        outOfMemory: event.outOfMemory && request ? { memoryMiB: request.resources.memoryMiB } : null,
        segments,
        chainNote,
      });
      // Only a baseline run, at a default-branch commit, writes a baseline; a PR's run never does.
      // Written before the check run completes, so a completed baseline check run means a recorded baseline.
      if (conclusion === "success" && request?.baseline && result) {
        await registry.writeCommitBaseline(target.owner, target.repo, {
          format: "nbtrain-baseline/2",
          runId,
          branch: request.baseline.branch,
          commit: request.baseline.commit,
          notebook,
          parameters: request.parameters,
          finishedAt: now().toISOString(),
          metrics: result.metrics,
        });
      }
      await completeTrainCheckRun(octokit, { owner: target.owner, repo: target.repo, checkRunId: target.checkRunId }, report, now(), page);
      await registry.clearActive(target.owner, target.repo, target.pullNumber, runId);
      // A baseline run belongs to a commit, not a PR: there is no sticky comment to update.
      if (target.pullNumber === 0) return;
      await updateRunLine(octokit, pr, {
        runId,
        notebook,
        state: conclusion === "success" ? "succeeded" : conclusion === "failure" ? "failed" : conclusion,
        attempt: result?.attempt ?? event.attempt,
        durationSeconds: result?.duration_seconds ?? null,
        ...(result ? { metrics: result.metrics } : {}),
        ...(baseline ? { baseline: baseline.metrics } : {}),
        url,
      });
      if (chain?.kind === "continue" && nextResources && policy.ok && request && result && deps.chain) {
        // Same commit, same parameters: nobody asked anew, so a fork's later push is not trained.
        await startNextSegment(
          octokit,
          {
            run: { request, result, next },
            commentId: request.commentId,
            requestedBy: request.requestedBy,
            installationId: request.installationId,
            headSha: request.headSha,
            notebookBytes: null,
            parameters: request.parameters,
            resources: nextResources,
            ...(request.budget ? { budget: request.budget } : {}),
          },
          deps.chain,
          now,
        );
      }
    }
  }
}

/**
 * The report's links when the bot serves run pages: the page, and the run's artifacts through it
 * (signed like the page), in place of paths on the bot's machine; Colab for a Drive notebook, and
 * the CloudWatch console for Batch logs.
 */
function pageLinks(settings: RunPageSettings, ref: { owner: string; repo: string; runId: string }, now: Date, driveNotebookId: string | null, logs: JobStateEvent["logs"]): ReportLink[] {
  const link = (label: string, artifact?: string): ReportLink[] => {
    const url = runPageUrl(settings, ref, now, artifact);
    return url ? [{ label, url }] : [];
  };
  const cloud = logs?.kind === "cloudwatch" ? runLinks("", "", logs).filter((each) => each.label.startsWith("Logs")) : [];
  return [
    ...link("Run page (chart, log, links)"),
    ...link("Executed notebook", "output.ipynb"),
    ...(driveNotebookId ? [{ label: "Executed notebook (Open in Colab)", url: driveColabUrl(driveNotebookId) }] : []),
    ...link("Metrics (JSON lines)", "metrics.jsonl"),
    ...link("Checkpoints (manifest)", "checkpoints.json"),
    ...cloud,
  ];
}

function conclusionOf(event: JobStateEvent, result: RunResultView | null): RunConclusion {
  if (event.status === "succeeded") return "success";
  if (event.status === "cancelled") return "cancelled";
  if (result?.status === "timed-out" || /timed out|timeout/iu.test(event.reason ?? "")) return "timed_out";
  return "failure";
}
