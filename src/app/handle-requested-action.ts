import type { Context } from "probot";
import { isRunId } from "../commands/derive-run-id.js";
import type { TrainDeps } from "./app-deps.js";
import { RunRegistry } from "../runs/run-registry.js";
import { pressTrainButton } from "../training/press-train-button.js";
import { readTrainConfig } from "../training/read-train-config.js";
import type { TrainButton } from "../training/train-button.js";
import { CANCEL_ACTION, CONTINUE_ACTION, RERUN_ACTION, TRAIN_CHECK_PREFIX } from "../training/train-check-name.js";
import { withKeyedLock } from "../util/keyed-lock.js";
import { approveForkButton } from "../training/approve-fork-button.js";
import { APPROVE_FORK_ACTION, FORK_APPROVAL_CHECK } from "../training/fork-trust.js";
import { isBotSender } from "./is-bot-sender.js";

function actionOf(identifier: string): TrainButton["action"] | null {
  if (identifier === CANCEL_ACTION.identifier) return "cancel";
  if (identifier === RERUN_ACTION.identifier) return "rerun";
  if (identifier === CONTINUE_ACTION.identifier) return "continue";
  return null;
}

/**
 * check_run.requested_action on a training check run (**Cancel**, **Re-run**, **Continue**): guards, the run's
 * request from the store, then one call into training/, one button of a PR at a time. **Approve
 * fork** on the fork approval check run goes to its own call.
 */
export function handleRequestedAction(train: TrainDeps, clock: () => Date) {
  return async (context: Context<"check_run.requested_action">): Promise<void> => {
    if (isBotSender(context)) return;
    const { check_run: checkRun, requested_action: requested, repository, sender, installation } = context.payload;
    if (checkRun.name === FORK_APPROVAL_CHECK && requested?.identifier === APPROVE_FORK_ACTION.identifier) {
      const pullNumber = Number(/^fork-approval:(\d+)$/u.exec(checkRun.external_id ?? "")?.[1] ?? Number.NaN);
      if (!Number.isInteger(pullNumber)) {
        context.log.warn(`approval check run ${checkRun.id} names no pull request; ignoring`);
        return;
      }
      const owner = repository.owner.login;
      const repo = repository.name;
      await withKeyedLock(`train:${owner}/${repo}#${pullNumber}`, () =>
        approveForkButton({ owner, repo, pullNumber, headSha: checkRun.head_sha, user: sender.login, octokit: context.octokit, log: context.log }, train, clock),
      );
      return;
    }
    const runId = checkRun.external_id ?? "";
    if (!checkRun.name.startsWith(TRAIN_CHECK_PREFIX) || !isRunId(runId) || !installation || !requested) {
      context.log.debug(`ignoring requested action on check "${checkRun.name}"`);
      return;
    }
    const action = actionOf(requested.identifier ?? "");
    if (!action) {
      context.log.debug(`ignoring unknown action "${requested.identifier}"`);
      return;
    }
    const owner = repository.owner.login;
    const repo = repository.name;
    const request = await new RunRegistry(train.store).readRequest(owner, repo, runId);
    if (!request) {
      context.log.warn({ runId }, "requested action on a run the store does not know; ignoring");
      return;
    }
    await withKeyedLock(`train:${owner}/${repo}#${request.pullNumber}`, () =>
      pressTrainButton(
        { action, request, user: sender.login, octokit: context.octokit, log: context.log, deliveryId: context.id, installationId: installation.id, readConfig: () => readTrainConfig(context) },
        train,
        clock,
      ),
    );
  };
}
