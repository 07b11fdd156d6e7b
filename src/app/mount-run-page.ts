import type { ApplicationFunctionOptions, Probot } from "probot";
import type { JobSnapshot } from "../compute/compute.js";
import type { GitHubClient } from "../github/github-client.js";
import { createRunPageHandler, toNodeHandler } from "../run-page/create-run-page-handler.js";
import { RunProgressReporter } from "../run-page/report-run-progress.js";
import { describeError } from "../github/describe-error.js";
import type { PageDeps, TrainDeps } from "./app-deps.js";

// Pages poll every few seconds; the backend (a Batch DescribeJobs) is asked at most this often per run.
const STATUS_CACHE_MS = 5_000;
const STATUS_CACHE_RUNS = 500;

/**
 * Wires the run page: its routes on the server (Probot's Node server, or the Lambda bridge that
 * collects the same handlers), and check run progress fed by the backend's job events.
 */
export function mountRunPage(app: Probot, addHandler: ApplicationFunctionOptions["addHandler"] | undefined, train: TrainDeps, page: PageDeps, options: { clock: () => Date; webBase?: string }): void {
  const statuses = new Map<string, { at: number; value: Promise<JobSnapshot | null> }>();
  const status = (runId: string): Promise<JobSnapshot | null> => {
    const now = Date.now();
    const cached = statuses.get(runId);
    if (cached && now - cached.at < STATUS_CACHE_MS) return cached.value;
    if (statuses.size >= STATUS_CACHE_RUNS) statuses.clear();
    const value = train.compute.status(runId).catch(() => null);
    statuses.set(runId, { at: now, value });
    return value;
  };
  const handler = createRunPageHandler({
    store: train.store,
    status,
    ...(train.readLogTail ? { readLogTail: train.readLogTail } : {}),
    settings: page.settings,
    assets: page.assets,
    clock: options.clock,
    onError: (error) => app.log.error({ reason: describeError(error) }, "the run page's scripts could not be read"),
    ...(options.webBase ? { webBase: options.webBase } : {}),
  });
  addHandler?.(toNodeHandler(handler, (error) => app.log.error({ reason: describeError(error) }, "the run page failed")));

  const progress = new RunProgressReporter({
    store: train.store,
    octokitFor: async (installationId) => (await app.auth(installationId)) as unknown as GitHubClient,
    settings: page.settings,
    clock: options.clock,
    ...(page.progressIntervalMs !== undefined ? { minIntervalMs: page.progressIntervalMs } : {}),
    ...(page.progressPollMs !== undefined ? { pollMs: page.progressPollMs } : {}),
    onError: (error, runId) => app.log.warn({ runId, reason: describeError(error) }, "could not update a running check run's progress"),
  });
  train.compute.subscribe(progress.onJobEvent);
}
