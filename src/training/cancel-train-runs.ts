import type { CancelCommand } from "../commands/train-command.js";
import type { TrainDeps } from "./train-deps.js";
import { completeTrainCheckRun } from "./complete-train-check-run.js";
import type { GitHubClient } from "../github/github-client.js";
import { reactToComment } from "../github/react-to-comment.js";
import { replyToComment } from "../github/reply-to-comment.js";
import { RunRegistry } from "../runs/run-registry.js";
import { admitTrainComment } from "./admit-train-comment.js";
import type { TrainComment } from "./train-comment.js";
import { updateRunLine } from "./update-run-line.js";

/**
 * Cancels one run of the repository (`/train cancel RUN`, or the Cancel button) or every active
 * run of the PR (`/train cancel`): `Compute.cancel`, then the check run completed as cancelled
 * at once, so it never waits on the backend's event to stop showing as running.
 * Returns what happened to each run, for the reply.
 */
export async function cancelRuns(octokit: GitHubClient, where: { owner: string; repo: string; pullNumber: number; runId?: string; by: string }, train: TrainDeps, now: () => Date): Promise<string[]> {
  const registry = new RunRegistry(train.store);
  const runIds = where.runId ? [where.runId] : (await registry.listActive(where.owner, where.repo)).filter((entry) => entry.pullNumber === where.pullNumber).map((entry) => entry.runId);
  const lines: string[] = [];
  for (const runId of runIds) {
    const request = await registry.readRequest(where.owner, where.repo, runId);
    if (!request) {
      lines.push(`- \`${runId}\`: no such run in this repository (see \`/train status\`).`);
      continue;
    }
    const result = await train.compute.cancel(runId, { queue: request.resources.queue });
    if (result === "already-finished") {
      lines.push(`- \`${runId}\`: already finished; nothing to cancel.`);
      await registry.clearActive(where.owner, where.repo, request.pullNumber, runId);
      continue;
    }
    if (request.checkRunId !== undefined) {
      await completeTrainCheckRun(
        octokit,
        { owner: where.owner, repo: where.repo, checkRunId: request.checkRunId },
        { conclusion: "cancelled", title: `⏹️ cancelled: ${request.notebook}`.slice(0, 200), summary: `Run \`${runId}\` was cancelled by @${where.by}. Checkpoints synced so far stay in the store: \`/train continue ${runId}\` (or Continue) goes on from the latest one, \`/train\` starts over.` },
        now(),
      );
    }
    await registry.clearActive(where.owner, where.repo, request.pullNumber, runId);
    await updateRunLine(octokit, { owner: where.owner, repo: where.repo, number: request.pullNumber }, { runId, notebook: request.notebook, state: "cancelled" });
    lines.push(`- \`${runId}\` (\`${request.notebook.replace(/`/gu, "'")}\`): ${result === "cancelled" ? "cancelled" : "the backend no longer knew it; its check run is marked cancelled"}.`);
  }
  return lines;
}

/** `/train cancel [RUN]`: once admitted (open PR, config, permission), cancels, then replies with what happened to each run. */
export async function cancelTrainRuns(command: CancelCommand, comment: TrainComment, train: TrainDeps, now: () => Date): Promise<void> {
  const { octokit, ref } = comment;
  if (!(await admitTrainComment(comment))) return;
  await reactToComment(octokit, ref, "eyes");
  const lines = await cancelRuns(octokit, { owner: ref.owner, repo: ref.repo, pullNumber: ref.issueNumber, ...(command.runId ? { runId: command.runId } : {}), by: ref.commenter }, train, now);
  await replyToComment(octokit, ref, lines.length > 0 ? `**\`/train cancel\`**\n\n${lines.join("\n")}` : "This pull request has no active training runs to cancel.");
}
