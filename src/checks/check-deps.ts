import type { ConfigResult } from "../config/load-repo-config.js";
import type { DeploymentPolicy } from "../config/deployment-policy.js";
import type { Limits, RuleSeverities } from "../config/repo-config.js";
import type { NotebookReport } from "../notebook/finding.js";
import type { ShareDeps } from "../review-copies/share-review-copies.js";
import type { Claims } from "../util/claims.js";

/** The Markdown templates the reports are rendered from (templates/*.md). */
export interface Templates {
  prComment: string;
  checkSummary: string;
}

/** What the notebook check needs; `AppDeps` (src/app/) extends it with training and the run page. */
export interface CheckDeps {
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
  /** The training settings a check judges a repository's `train:` section by; absent when training is off. */
  train?: { backend: "aws-batch" | "local"; policy: DeploymentPolicy };
  /** Drive review copies for repositories that enable `share:`; without it no repository shares. */
  share?: ShareDeps;
}

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_MAX_ANNOTATIONS = 1_000;
export const DEFAULT_COMMANDS = [
  "- **Check again:** push a commit, or choose *Re-run* on the `nbtrain / notebooks` check.",
  "- **Configure:** rules, limits and include/exclude globs live in `.github/nbtrain.yml` (an organisation's `.github` repository can hold defaults).",
];
