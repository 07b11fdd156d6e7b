import type { ActiveRuns } from "../commands/check-train-limits.js";
import { TERMINAL_STATUSES, type Compute } from "../compute/compute.js";
import type { RunRegistry, RunRequest } from "../runs/run-registry.js";
import { CLAIMS_PREFIX } from "../util/claims.js";

/** How long a run the backend does not know stays counted after it was submitted. */
const UNKNOWN_SUBMITTED_GRACE_MS = 60 * 60_000;
/** How long a run recorded but never submitted stays counted (its instance may still be submitting it). */
const UNKNOWN_UNSUBMITTED_GRACE_MS = 10 * 60_000;

/** Where the moment a run was admitted under the limits is kept (written by admitUnderLimits). */
export function admissionKey(owner: string, repo: string, runId: string): string {
  return `${CLAIMS_PREFIX}admitted/${owner}/${repo}/${runId}.json`;
}

/**
 * Active runs in the repository and in one PR, from the store's index of unfinished runs. When
 * the count would refuse a command, each entry is confirmed with the backend first: entries the
 * backend reports finished are dropped, so a lost event cannot block a repository. An entry the
 * backend does not know is dropped only once its stored request is old: another instance's local
 * backend holds runs this one cannot see, and a run is recorded a moment before it is submitted.
 */
export async function countActiveRuns(
  registry: RunRegistry,
  compute: Compute,
  where: { owner: string; repo: string; pullNumber: number; exclude?: string },
  limits: { perRepo: number; perPullRequest: number },
  now: () => Date = () => new Date(),
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
    const finished = snapshot === null ? await abandoned(registry, where, entry.runId, request, now()) : TERMINAL_STATUSES.has(snapshot.status);
    if (finished) await registry.clearActive(where.owner, where.repo, entry.pullNumber, entry.runId);
    else confirmed.push(entry);
  }
  entries = confirmed;
  return count();
}

async function abandoned(registry: RunRegistry, where: { owner: string; repo: string }, runId: string, request: RunRequest | null, now: Date): Promise<boolean> {
  // Admitted a moment ago on another instance, which writes the request next.
  const since = request ? Date.parse(request.submittedAt ?? request.requestedAt) : await admittedAt(registry, where, runId);
  if (request === null) return Number.isNaN(since) || now.getTime() - since > UNKNOWN_UNSUBMITTED_GRACE_MS;
  const grace = request.submittedAt ? UNKNOWN_SUBMITTED_GRACE_MS : UNKNOWN_UNSUBMITTED_GRACE_MS;
  return Number.isNaN(since) || now.getTime() - since > grace;
}

async function admittedAt(registry: RunRegistry, where: { owner: string; repo: string }, runId: string): Promise<number> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await registry.store.get(admissionKey(where.owner, where.repo, runId))) chunks.push(Buffer.from(chunk as Uint8Array));
    return Date.parse((JSON.parse(Buffer.concat(chunks).toString("utf8")) as { at?: string }).at ?? "");
  } catch {
    return Number.NaN; // never admitted through the lock (or unreadable): not kept on its account
  }
}
