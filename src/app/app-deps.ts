import type { Compute, JobLogs } from "../compute/compute.js";
import type { JobSecrets } from "../compute/job-secrets.js";
import type { DeploymentPolicy } from "../config/deployment-policy.js";
import type { ConfigResult } from "../config/load-repo-config.js";
import type { Limits, RuleSeverities } from "../config/repo-config.js";
import type { NotebookReport } from "../notebook/finding.js";
import type { Store } from "../storage/store.js";
import type { ShareDeps } from "../review-copies/share-review-copies.js";
import type { PageAssets } from "../run-page/page-assets.js";
import type { RunPageSettings } from "../run-page/run-page-settings.js";
import type { Claims } from "../util/claims.js";

/** The Markdown templates the reports are rendered from (templates/*.md). */
export interface Templates {
  prComment: string;
  checkSummary: string;
}

/** What the app needs from outside; tests pass their own, production uses `loadDefaultAppDeps()`. */
export interface AppDeps {
  checkNotebook: (path: string, bytes: Uint8Array, options?: { rules?: RuleSeverities; limits?: Partial<Limits> }) => NotebookReport;
  parseRepoConfig: (value: unknown) => ConfigResult;
  templates: Templates;
  /** Timestamps for the check run. */
  clock?: () => Date;
  /** Notebook fetches in flight at once; memory grows with this times the largest notebook. Default 8. */
  concurrency?: number;
  /** Annotations per check run; GitHub slows down the UI well before its own limits. Default 1,000. */
  maxAnnotations?: number;
  /** Markdown list items for the comment footer: the commands the app handles. */
  commands?: string[];
  /** Web host for links; `https://github.com` unless on GitHub Enterprise Server. */
  webBase?: string;
  /**
   * Who does once-only work (a commit's check run) when one event reaches several instances.
   * Default: claims in `train.store` when training is on, else in this process only.
   */
  claims?: Claims;
  /** The App's id (APP_ID): the sticky comment is the oldest marker comment this App wrote. */
  appId?: number;
  /** `/train` on pull requests; without it the app only checks notebooks. */
  train?: TrainDeps;
  /** Drive review copies for repositories that enable `share:`; without it no repository shares. */
  share?: ShareDeps;
  /** The live run page (src/run-page/) and check run progress; needs `train`. */
  page?: PageDeps;
}

/** What the run page needs beyond the training deps. */
export interface PageDeps {
  settings: RunPageSettings;
  /** uPlot and the page's script, read on first use. */
  assets: () => Promise<PageAssets>;
  /** Shortest time between two progress updates of one check run. Default 10 s. */
  progressIntervalMs?: number;
  /** How often running runs' progress is read from the store. Default 3 s. */
  progressPollMs?: number;
}

/** What `/train` needs: where jobs run and where their artifacts are kept. */
export interface TrainDeps {
  compute: Compute;
  /** The bot's view of the store the jobs write to; the report reads result.json from it. */
  store: Store;
  /** The same store as jobs are told to open it; never holds credentials. */
  storeUri: string;
  /** The operator's allow-lists and caps; every run is judged against them before it is submitted. */
  policy: DeploymentPolicy;
  /** Which backend `compute` is: queues and job definitions are judged on AWS Batch only. */
  backend: "aws-batch" | "local";
  /** The last lines of a job's log, for a failure report; absent where logs are only linked (Batch). */
  readLogTail?: (logs: JobLogs) => Promise<string | null>;
  /**
   * Where a job's read-only GitHub token goes (the backend's secrets mechanism). When set, each
   * run gets a token for its repository's archive (contents: read, one repository), created
   * before submit; a refused token fails the run before submit. See "Jobs run inside their repository" in the README.
   */
  secrets?: JobSecrets;
  /** Starts the backend once the app has subscribed to its events (the local backend replays recovered runs). */
  start?: () => Promise<void>;
  /** Stops the backend; local runs resume on the next start. */
  close?: () => Promise<void>;
}

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_MAX_ANNOTATIONS = 1_000;
export const DEFAULT_COMMANDS = [
  "- **Check again:** push a commit, or choose *Re-run* on the `nbtrain / notebooks` check.",
  "- **Configure:** rules, limits and include/exclude globs live in `.github/nbtrain.yml` (an organisation's `.github` repository can hold defaults).",
];
