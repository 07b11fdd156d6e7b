import { nextSegmentRunId } from "../commands/derive-run-id.js";
import { RunRegistry } from "../runs/run-registry.js";
import type { RunRequest } from "../runs/run-request.js";
import { runResultViewSchema, type RunResultView } from "../runs/run-result.js";

/** A run that can be continued: its request, its last result and the segment that would follow it. */
export interface Continuable {
  request: RunRequest;
  result: RunResultView;
  next: { runId: string; number: number };
}

export type ContinuableLookup = { ok: true; run: Continuable } | { ok: false; message: string };

const CONTINUABLE = new Set(["timed-out", "interrupted", "failed"]);

/**
 * Why `runId` cannot be continued, or what continuing it starts from. A run can be continued when
 * it is over (not in the active index), ended timed-out, interrupted (a cancel or a stop), or
 * failed, saved at least one checkpoint, and was not continued already.
 */
async function judge(registry: RunRegistry, request: RunRequest, activeIds: Set<string>): Promise<ContinuableLookup> {
  const { owner, repo, runId } = request;
  const next = nextSegmentRunId(runId);
  const say = (why: string): ContinuableLookup => ({ ok: false, message: `Run \`${runId}\` cannot be continued: ${why}` });
  if (activeIds.has(runId)) return say("it has not finished yet. Wait for it to end, or stop it with `/train cancel " + runId + "` and then continue it.");
  const continued = await registry.readRequest(owner, repo, next.runId);
  if (continued) return say(`it was already continued as run \`${next.runId}\`; continue that one instead (\`/train continue ${next.runId}\`).`);
  const parsed = runResultViewSchema.safeParse(await registry.readResult(owner, repo, runId).catch(() => null));
  const result = parsed.success ? parsed.data : null;
  if (result?.status === "completed") return say("it completed. Start a new run with `/train` to train again.");
  if (result !== null && !CONTINUABLE.has(result.status) && result.status !== "running") return say(`it ended ${result.status}.`);
  if (result === null || result.checkpoint_sequence === null) {
    return say("it saved no checkpoint, so there is nothing to continue from. Start it again with `/train` (or the Re-run button), and save checkpoints to `checkpoint_dir`.");
  }
  // A result still "running" with no active entry: the job was killed outright; its checkpoint counts.
  return { ok: true, run: { request, result: result.status === "running" ? { ...result, status: "failed" } : result, next } };
}

/**
 * The run `/train continue [RUN]` means on pull request `pullNumber`: RUN itself (it must be a run
 * of this repository and this PR), else the PR's most recent run that can be continued. Every
 * refusal says why and what to do instead.
 */
export async function findContinuableRun(registry: RunRegistry, where: { owner: string; repo: string; pullNumber: number }, runId?: string): Promise<ContinuableLookup> {
  const { owner, repo, pullNumber } = where;
  const activeIds = new Set((await registry.listActive(owner, repo)).map((entry) => entry.runId));
  if (runId !== undefined) {
    const request = await registry.readRequest(owner, repo, runId);
    if (!request) return { ok: false, message: `There is no run \`${runId}\` in this repository. \`/train status\` lists this pull request's runs.` };
    if (request.pullNumber !== pullNumber) {
      return { ok: false, message: `Run \`${runId}\` belongs to pull request #${request.pullNumber}, not this one; comment \`/train continue ${runId}\` there.` };
    }
    return judge(registry, request, activeIds);
  }
  const requests = (await Promise.all((await registry.listPullRuns(owner, repo, pullNumber)).map((id) => registry.readRequest(owner, repo, id)))).filter(
    (request): request is RunRequest => request !== null,
  );
  if (requests.length === 0) return { ok: false, message: "This pull request has no run to continue yet. Start one with `/train NOTEBOOK`." };
  const reasons: string[] = [];
  for (const request of requests.sort((a, b) => Date.parse(b.requestedAt) - Date.parse(a.requestedAt))) {
    const judged = await judge(registry, request, activeIds);
    if (judged.ok) return judged;
    if (reasons.length < 5) reasons.push(`- ${judged.message}`);
  }
  return { ok: false, message: `No run of this pull request can be continued:\n${reasons.join("\n")}` };
}
