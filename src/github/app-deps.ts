import type { ConfigResult } from "../config/load-repo-config.js";
import type { Limits, RuleSeverities } from "../config/repo-config.js";
import type { NotebookReport } from "../notebook/finding.js";

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
}

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_MAX_ANNOTATIONS = 1_000;
export const DEFAULT_COMMANDS = [
  "- **Check again:** push a commit, or choose *Re-run* on the `nbtrain / notebooks` check.",
  "- **Configure:** rules, limits and include/exclude globs live in `.github/nbtrain.yml` (an organisation's `.github` repository can hold defaults).",
];
