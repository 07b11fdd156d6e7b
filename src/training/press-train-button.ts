import { checkTrainLimits } from "../commands/check-train-limits.js";
import { deriveRunId } from "../commands/derive-run-id.js";
import type { TrainConfig } from "../config/train-config.js";
import type { TrainDeps } from "./train-deps.js";
import { describeError } from "../github/describe-error.js";
import { RunRegistry } from "../runs/run-registry.js";
import { newRunRequest } from "../runs/run-request.js";
import { cancelRuns } from "./cancel-train-runs.js";
import { continueTraining, describeContinuation } from "./continue-training.js";
import { admitUnderLimits } from "./admit-under-limits.js";
import { readTrainInputs } from "./read-train-inputs.js";
import { startTrainRun } from "./start-train-run.js";
import { checkForkTrust } from "./fork-trust.js";
import { judgeOperatorPolicy } from "./judge-operator-policy.js";
import type { TrainButton } from "./train-button.js";

/**
 * A training check run's button, in one pass: the config and the user's permission (the same as
 * `/train` needs) are read together, then **Cancel** stops the run, and **Re-run** trains the same
 * notebook at the same commit with the same parameters as run `<id>-r<n>`. A redelivered re-run
 * click is recognised once, by its delivery id. Refusals and failures are said on the PR.
 */
export async function pressTrainButton(button: TrainButton, train: TrainDeps, now: () => Date): Promise<void> {
  const { octokit, request, user } = button;
  const { owner, repo, runId } = request;
  const say = (body: string) => octokit.rest.issues.createComment({ owner, repo, issue_number: request.pullNumber, body: `@${user} ${body}` });
  try {
    const inputs = await readTrainInputs(octokit, { owner, repo, user, readConfig: button.readConfig });
    if (!inputs.ok) {
      await say(inputs.message);
      return;
    }
    if (button.action === "cancel") {
      await cancelRuns(octokit, { owner, repo, pullNumber: request.pullNumber, runId, by: user }, train, now);
      return;
    }
    const registry = new RunRegistry(train.store);
    if (!(await registry.claimDelivery(owner, repo, button.deliveryId))) {
      button.log.info({ runId, deliveryId: button.deliveryId }, `${button.action} already started for this delivery (redelivered webhook); nothing to do`);
      return;
    }
    if (button.action === "continue") {
      const { data: pull } = await octokit.rest.pulls.get({ owner, repo, pull_number: request.pullNumber });
      const outcome = await continueTraining(
        octokit,
        { owner, repo, pullNumber: request.pullNumber, runId, user, installationId: button.installationId, config: inputs.config, pull, parameters: {} },
        train,
        now,
      );
      if (outcome.kind === "refused") await say(outcome.message);
      else if (outcome.kind === "failed") await say(`the next segment \`${outcome.runId}\` of \`${runId}\` could not be started: ${outcome.reason}`);
      else if (outcome.kind === "started") await say(describeContinuation(outcome));
      return;
    }
    await rerun(button, inputs.config, registry, train, now, say);
  } catch (error) {
    const reason = describeError(error);
    button.log.error({ deliveryId: button.deliveryId, runId, reason }, "check run action failed");
    await say(`nbtrain could not ${button.action === "rerun" ? "re-run" : button.action} run \`${runId}\`: ${reason}`);
  }
}

async function rerun(button: TrainButton, config: TrainConfig, registry: RunRegistry, train: TrainDeps, now: () => Date, say: (body: string) => Promise<unknown>): Promise<void> {
  const { request } = button;
  const { owner, repo } = request;
  const reruns = (await registry.listPullRuns(owner, repo, request.pullNumber)).flatMap((id) => {
    const match = new RegExp(`^c${request.commentId}-r(\\d+)$`, "u").exec(id);
    return match ? [Number(match[1])] : [];
  });
  const runId = deriveRunId(request.commentId, { rerun: Math.max(0, ...reruns) + 1 });
  const bytes = await registry.readInput(owner, repo, request.runId);
  if (!bytes) {
    await say(`run \`${request.runId}\` has no staged notebook in the store any more; comment \`/train\` to start a new run.`);
    return;
  }
  const { resources } = request;
  const limits = await admitUnderLimits(
    registry,
    train.compute,
    { owner, repo, pullNumber: request.pullNumber, runId },
    { perRepo: config.limits.max_concurrent_per_repo, perPullRequest: config.limits.max_concurrent_per_pr },
    (active) =>
      checkTrainLimits(
        { kind: "run", notebook: request.notebook, parameters: request.parameters, gpu: resources.gpuType, gpus: resources.gpus, memoryMiB: resources.memoryMiB, timeoutSeconds: resources.timeoutSeconds, spot: resources.spot },
        config,
        active,
      ),
  );
  if (!limits.ok) {
    await say(`run \`${request.runId}\` was not re-run: ${limits.message}`);
    return;
  }
  const policy = judgeOperatorPolicy(
    { kind: "run", parameters: request.parameters, gpus: resources.gpus, memoryMiB: resources.memoryMiB, timeoutSeconds: resources.timeoutSeconds },
    config,
    limits.resources,
    train,
  );
  if (!policy.ok) {
    await say(`run \`${request.runId}\` was not re-run: ${policy.message}`);
    return;
  }
  // The same commit trains again: its approval (if it is a fork's) still holds, unless the repository now denies forks.
  const { data: pull } = await button.octokit.rest.pulls.get({ owner, repo, pull_number: request.pullNumber });
  const trust = await checkForkTrust(pull, request.headSha, { owner, repo }, config, train);
  if (!trust.ok) {
    await say(`run \`${request.runId}\` was not re-run: ${trust.message}`);
    return;
  }
  const { commentId, pullNumber, headSha, baseRef, notebook, parameters } = request;
  const next = newRunRequest(
    { runId, commentId, owner, repo, pullNumber, headSha, baseRef, notebook, parameters, resources: limits.resources, requestedBy: button.user, installationId: button.installationId },
    now().toISOString(),
  );
  // A new run id: nothing of it is in the store yet.
  const outcome = await startTrainRun(button.octokit, { request: next, notebookBytes: bytes, source: { requirements: config.requirements, lfs: config.lfs }, stored: null }, train, now);
  if (outcome.kind === "failed") await say(`the re-run \`${runId}\` of \`${request.runId}\` could not be started: ${outcome.reason}`);
}
