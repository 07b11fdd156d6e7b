import type { NotebookReport } from "../notebook/finding.js";
import type { ChangeSummary } from "../notebook/summarize-changes.js";

/** Why a changed notebook was not checked. None of these fails the check run. */
export type SkipReason = "not-found" | "too-large" | "submodule";

/** The outcome for one changed notebook, as the check run and the PR comment show it. */
export type NotebookResult =
  | {
      path: string;
      status: "checked";
      report: NotebookReport;
      /** Cell-level change against the base; absent on pushes, where there is no comment. */
      changes?: ChangeSummary;
      /** The Drive review copy, when the repository shares them (`share:` in the config). */
      reviewCopy?: ReviewCopy;
    }
  | {
      path: string;
      status: "skipped";
      reason: SkipReason;
      /** One sentence for the reader: what happened and what to do. */
      detail: string;
    };

/**
 * A notebook's Drive review copy, as the comment shows it: shared (with the SHA the copy holds),
 * withheld on purpose (a secret), or failed (a Drive error, with the older copy when there is one).
 */
export type ReviewCopy =
  | { kind: "shared"; fileId: string; sha: string }
  | { kind: "withheld"; reason: string }
  | { kind: "failed"; reason: string; previous?: { fileId: string; sha: string } };
