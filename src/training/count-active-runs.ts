import type { ActiveRuns } from "../commands/check-train-limits.js";
import { TERMINAL_STATUSES, type Compute } from "../compute/compute.js";
import type { RunRegistry } from "../runs/run-registry.js";

/**
 * Active runs in the repository and in one PR, from the store's index of unfinished runs. When
 * the count would refuse a command, each entry is confirmed with the backend first and entries
 * the backend reports finished or unknown are dropped, so a lost event cannot block a repository.
 */
export async function countActiveRuns(
  registry: RunRegistry,
  compute: Compute,
  where: { owner: string; repo: string; pullNumber: number; exclude?: string },
  limits: { perRepo: number; perPullRequest: number },
): Promise<ActiveRuns> {
  let entries = (await registry.listActive(where.owner, where.repo)).filter((entry) => entry.runId !== where.exclude);
  const count = () => ({ inRepo: entries.length, inPullRequest: entries.filter((entry) => entry.pullNumber === where.pullNumber).length });
  const first = count();
  if (first.inRepo < limits.perRepo && first.inPullRequest < limits.perPullRequest) return first;
  const confirmed = [];
  for (const entry of entries) {
    // The request names the run's queue, which the backend's own list may admit only by a wildcard: unknown there would mean dropped.
    const request = await registry.readRequest(where.owner, where.repo, entry.runId).catch(() => null);
    const snapshot = await compute.status(entry.runId, request ? { queue: request.resources.queue } : {});
    if (snapshot === null || TERMINAL_STATUSES.has(snapshot.status)) await registry.clearActive(where.owner, where.repo, entry.pullNumber, entry.runId);
    else confirmed.push(entry);
  }
  entries = confirmed;
  return count();
}
