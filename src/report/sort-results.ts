import { countFindings } from "./count-findings.js";
import type { NotebookResult } from "./notebook-result.js";

/**
 * Orders results for reading and for truncation: notebooks with errors first, then warnings,
 * then skipped ones, then clean ones; by path within each group. When a limit cuts the list,
 * what is cut is the least urgent.
 */
export function sortResults(results: readonly NotebookResult[]): NotebookResult[] {
  const rank = (result: NotebookResult): number => {
    if (result.status === "skipped") return 2;
    const counts = countFindings(result);
    return counts.errors > 0 ? 0 : counts.warnings > 0 ? 1 : 3;
  };
  return results
    .map((result) => ({ result, rank: rank(result) }))
    .sort((a, b) => a.rank - b.rank || (a.result.path < b.result.path ? -1 : a.result.path > b.result.path ? 1 : 0))
    .map(({ result }) => result);
}
