import type { JobStateEvent, RunTarget } from "../compute/compute.js";
import type { GitHubClient } from "../github/github-client.js";
import { PROGRESS_KEY, type LiveProgress } from "../runner/live-progress.js";
import type { Store } from "../storage/store.js";
import { formatMetric } from "../report/render-metrics-table.js";
import { runStore } from "./read-run-view.js";
import type { RunPageSettings } from "./run-page-settings.js";
import { runPageUrl } from "./run-page-url.js";

export interface RunProgressDeps {
  store: Store;
  octokitFor: (installationId: number) => Promise<GitHubClient>;
  /** Links in the check run need the deployment's public URL; without it only the summary moves. */
  settings: RunPageSettings | null;
  /** Shortest time between two summary updates of one check run (GitHub's API budget). Default 10 s. */
  minIntervalMs?: number;
  /** How often the store is read for progress. Default 3 s. */
  pollMs?: number;
  clock?: () => Date;
  onError?: (error: unknown, runId: string) => void;
}

interface Watched {
  target: RunTarget;
  attempt: number;
  lastUpdate: number;
  lastSeen: string;
  inFlight: Promise<void>;
}

const MAX_METRICS = 8;

/**
 * Keeps a training check run's summary current while its run goes: the cell it is on and the
 * latest metrics, from the runner's `progress.json` in the store, at most once per
 * `minIntervalMs` per run and only when something changed. It also points the check run's
 * details link at the run page. Subscribe it to job events BEFORE the final report: a terminal
 * event waits for an update in flight, so a late "running" summary never overwrites the report.
 */
export class RunProgressReporter {
  private readonly runs = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private readonly clock: () => Date;
  private readonly minIntervalMs: number;

  constructor(private readonly deps: RunProgressDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.minIntervalMs = deps.minIntervalMs ?? 10_000;
  }

  /** The job event listener. */
  readonly onJobEvent = async (event: JobStateEvent): Promise<void> => {
    const watched = this.runs.get(event.runId);
    if (event.status === "succeeded" || event.status === "failed" || event.status === "cancelled") {
      if (watched) {
        this.runs.delete(event.runId);
        await watched.inFlight;
      }
      if (this.runs.size === 0) this.stop();
      return;
    }
    if (event.status === "queued" && !event.retryOf) {
      // The link goes on as soon as the run exists, so a reviewer can open the page while it waits.
      await this.setDetailsUrl(event.runId, event.target);
      return;
    }
    if (event.status === "running") {
      if (watched) watched.attempt = event.attempt;
      else this.runs.set(event.runId, { target: event.target, attempt: event.attempt, lastUpdate: 0, lastSeen: "", inFlight: Promise.resolve() });
      this.start();
    }
  };

  /** Reads every watched run's progress once and updates the check runs that are due; the timer calls it. */
  async tick(): Promise<void> {
    await Promise.all([...this.runs].map(([runId, watched]) => this.update(runId, watched)));
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.deps.pollMs ?? 3_000);
    this.timer.unref();
  }

  private async update(runId: string, watched: Watched): Promise<void> {
    const now = this.clock().getTime();
    if (now - watched.lastUpdate < this.minIntervalMs) return;
    const work = (async () => {
      const progress = await readProgress(this.deps.store, watched.target, runId);
      if (progress === null || progress.updated_at === watched.lastSeen || progress.attempt < watched.attempt) return;
      // The run may have ended while the store was read: then the final report owns the check run.
      if (this.runs.get(runId) !== watched) return;
      watched.lastSeen = progress.updated_at;
      watched.lastUpdate = now;
      const octokit = await this.deps.octokitFor(watched.target.installationId);
      const url = this.pageUrl(runId, watched.target);
      const output = progressOutput(runId, progress, url);
      await octokit.rest.checks.update({ owner: watched.target.owner, repo: watched.target.repo, check_run_id: watched.target.checkRunId, ...(url ? { details_url: url } : {}), output });
    })().catch((error: unknown) => this.deps.onError?.(error, runId));
    watched.inFlight = work;
    await work;
  }

  private async setDetailsUrl(runId: string, target: RunTarget): Promise<void> {
    const url = this.pageUrl(runId, target);
    if (!url) return;
    const octokit = await this.deps.octokitFor(target.installationId);
    await octokit.rest.checks.update({ owner: target.owner, repo: target.repo, check_run_id: target.checkRunId, details_url: url });
  }

  private pageUrl(runId: string, target: RunTarget): string | null {
    return this.deps.settings ? runPageUrl(this.deps.settings, { owner: target.owner, repo: target.repo, runId }, this.clock()) : null;
  }
}

async function readProgress(store: Store, target: RunTarget, runId: string): Promise<LiveProgress | null> {
  const scoped = runStore(store, { owner: target.owner, repo: target.repo, runId });
  const head = await scoped.head(PROGRESS_KEY);
  if (head === null || head.size > 64 * 1024) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of await scoped.get(PROGRESS_KEY)) chunks.push(Buffer.from(chunk as Uint8Array));
  const value = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Partial<LiveProgress>;
  return value.format === "nbtrain-progress/1" && typeof value.updated_at === "string" && typeof value.attempt === "number" ? (value as LiveProgress) : null;
}

/** The check run's output while the run goes: the cell, the latest metrics, the page link. */
export function progressOutput(runId: string, progress: LiveProgress, pageUrl: string | null): { title: string; summary: string } {
  const cell = progress.cell === null ? `${progress.cells_done} of ${progress.cells} cells done` : `cell ${progress.cell + 1} of ${progress.cells}`;
  const names = Object.keys(progress.latest).slice(0, MAX_METRICS);
  const headline = names.filter((name) => typeof progress.latest[name] === "number" && !["step", "epoch"].includes(name))[0];
  const title = `Running attempt ${progress.attempt}: ${cell}${headline ? ` · ${headline} ${formatMetric(progress.latest[headline])}` : ""}`;
  const table = names.length > 0 ? `\n\nLatest metrics (${progress.metrics_points} points):\n\n| Metric | Value |\n|---|---:|\n${names.map((name) => `| ${name.replace(/[|`\\]/gu, "")} | ${formatMetric(progress.latest[name]).replace(/[|`\\]/gu, "")} |`).join("\n")}` : "";
  const link = pageUrl ? `\n\n[Live run page](${pageUrl}) (loss curves, log, outputs).` : "";
  return { title: title.slice(0, 200), summary: `Run \`${runId}\` is on ${cell} (attempt ${progress.attempt}), as of ${progress.updated_at}.${table}${link}` };
}
