import type { ActiveRuns, LimitCheck } from "../commands/check-train-limits.js";
import type { Compute } from "../compute/compute.js";
import type { RunRegistry } from "../runs/run-registry.js";
import { withStoreLock } from "../util/with-store-lock.js";
import { admissionKey, countActiveRuns } from "./count-active-runs.js";

/**
 * Counts the active runs from the store, judges the new run against the limits with `decide`,
 * and records it as active when admitted: all under the repository's lock in the store, so two
 * `/train` on two instances cannot both pass a limit of one. The loser of the lock waits for it;
 * it then counts the winner's run and is refused with the limit's reason.
 */
export async function admitUnderLimits(
  registry: RunRegistry,
  compute: Compute,
  run: { owner: string; repo: string; pullNumber: number; runId: string },
  limits: { perRepo: number; perPullRequest: number },
  decide: (active: ActiveRuns) => LimitCheck,
): Promise<LimitCheck> {
  const { owner, repo, pullNumber, runId } = run;
  return withStoreLock(registry.store, `train/${owner}/${repo}`, async () => {
    const active = await countActiveRuns(registry, compute, { owner, repo, pullNumber, exclude: runId }, limits);
    const check = decide(active);
    if (check.ok) {
      // When it was admitted: until its request is written, this is what keeps it counted elsewhere.
      await registry.store.put(admissionKey(owner, repo, runId), Buffer.from(JSON.stringify({ at: new Date().toISOString() })), { contentType: "application/json" });
      await registry.markActive(owner, repo, pullNumber, runId);
    }
    return check;
  });
}
