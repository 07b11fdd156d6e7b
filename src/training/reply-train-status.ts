import type { TrainConfig } from "../config/train-config.js";
import { renderStatusTable, type StatusRow } from "../report/render-status-table.js";
import type { TrainDeps } from "./train-deps.js";
import type { GitHubClient } from "../github/github-client.js";
import { replyToComment, type CommentRef } from "../github/reply-to-comment.js";
import { RunRegistry } from "../runs/run-registry.js";

const MAX_ROWS = 20;

/** `/train status`: a table of this PR's runs, newest first, with the backend's current state. */
export async function replyTrainStatus(octokit: GitHubClient, ref: CommentRef, train: TrainDeps, config: TrainConfig | null, now: () => Date): Promise<void> {
  const registry = new RunRegistry(train.store);
  const runIds = (await registry.listPullRuns(ref.owner, ref.repo, ref.issueNumber)).sort((a, b) => compareRunIds(b, a)).slice(0, MAX_ROWS);
  const rows: StatusRow[] = [];
  for (const runId of runIds) {
    // The request names the queue the run went to, which the backend's own list may only admit by a wildcard.
    const request = await registry.readRequest(ref.owner, ref.repo, runId);
    const snapshot = await train.compute.status(runId, request ? { queue: request.resources.queue } : {});
    rows.push({
      runId,
      notebook: request?.notebook ?? "?",
      status: snapshot?.status ?? "unknown",
      ...(snapshot ? { attempt: snapshot.attempt } : {}),
      ...(request ? { ageSeconds: Math.max(0, (now().getTime() - Date.parse(request.requestedAt)) / 1000) } : {}),
      ...(snapshot?.reason ? { reason: snapshot.reason } : {}),
    });
  }
  const active = config ? (await registry.listActive(ref.owner, ref.repo)).length : undefined;
  await replyToComment(octokit, ref, renderStatusTable(rows, config && active !== undefined ? { activeInRepo: active, limitPerRepo: config.limits.max_concurrent_per_repo } : {}));
}

/** Run ids hold the comment id, which grows over time; re-runs sort after their original. */
function compareRunIds(a: string, b: string): number {
  const [ca, ra, sa] = parse(a);
  const [cb, rb, sb] = parse(b);
  return ca === cb ? (ra === rb ? sa - sb : ra - rb) : ca < cb ? -1 : 1;
}

function parse(runId: string): [bigint, number, number] {
  const match = /^c(\d+)(?:-r(\d+))?(?:-s(\d+))?$/u.exec(runId);
  return match ? [BigInt(match[1]!), Number(match[2] ?? 0), Number(match[3] ?? 1)] : [0n, 0, 0];
}
