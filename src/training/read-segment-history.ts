import type { SegmentRow } from "../report/run-report-input.js";
import type { RunRegistry } from "../runs/run-registry.js";
import type { RunRequest } from "../runs/run-request.js";

/** A training is at most this many segments long in a report; older ones are left out. */
const MAX_SEGMENTS = 30;

/**
 * The segments of the training `request` belongs to, oldest first and it last, by walking the
 * `segment.previous` links back through the store: when each was requested, how it ended, which
 * checkpoint it started from, and its metrics so far.
 */
export async function readSegmentHistory(registry: RunRegistry, request: RunRequest, webBase: string): Promise<SegmentRow[]> {
  const chain: RunRequest[] = [request];
  let current = request;
  while (current.segment && chain.length < MAX_SEGMENTS) {
    const previous = await registry.readRequest(current.owner, current.repo, current.segment.previous).catch(() => null);
    if (!previous) break;
    chain.unshift(previous);
    current = previous;
  }
  if (chain.length < 2) return [];
  const rows: SegmentRow[] = [];
  for (const run of chain) {
    const result = await registry.readResult(run.owner, run.repo, run.runId).catch(() => null);
    const fromRun = run.from?.startsWith("run:") ? run.from.slice(4) : null;
    const restored = result?.restored_sequence ?? null;
    rows.push({
      number: run.segment?.number ?? 1,
      runId: run.runId,
      requestedAt: run.requestedAt,
      ended: result?.status ?? (run.submittedAt ? "running" : "not started"),
      startedFrom: fromRun ? `checkpoint of \`${fromRun}\`` : run.from ? "a copied folder" : restored !== null ? `checkpoint #${restored}` : null,
      metrics: result?.metrics ?? {},
      ...(run.checkRunId ? { url: `${webBase}/${run.owner}/${run.repo}/runs/${run.checkRunId}` } : {}),
    });
  }
  return rows;
}
