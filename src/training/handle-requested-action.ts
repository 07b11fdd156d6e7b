import type { Context } from "probot";
import { checkTrainLimits } from "../commands/check-train-limits.js";
import { deriveRunId, isRunId } from "../commands/derive-run-id.js";
import type { TrainConfig } from "../config/train-config.js";
import type { TrainDeps } from "../app/app-deps.js";
import { authorizeCommenter } from "../github/authorize-commenter.js";
import { cancelRuns } from "./cancel-train-runs.js";
import { countActiveRuns } from "./count-active-runs.js";
import { describeError } from "../github/describe-error.js";
import type { GitHubClient } from "../github/github-client.js";
import { isBotSender } from "../app/is-bot-sender.js";
import { withKeyedLock } from "../util/keyed-lock.js";
import { readTrainConfig } from "./read-train-config.js";
import { RunRegistry, type RunRequest } from "../runs/run-registry.js";
import { startTrainRun } from "./start-train-run.js";
import { approveFork } from "./approve-fork.js";
import { APPROVE_FORK_ACTION, checkForkTrust, FORK_APPROVAL_CHECK } from "./fork-trust.js";
import { judgeOperatorPolicy } from "./judge-operator-policy.js";
import { readPermission } from "../github/authorize-commenter.js";
import { CANCEL_ACTION, RERUN_ACTION, TRAIN_CHECK_PREFIX } from "./train-check-name.js";

/**
 * check_run.requested_action on a training check run: **Cancel** stops the run, **Re-run**
 * trains the same notebook at the same commit with the same parameters as run `<id>-r<n>`.
 * The button's user needs the same permission as `/train`; a refusal is said on the PR.
 */
export function handleRequestedAction(train: TrainDeps, clock: () => Date) {
  return async (context: Context<"check_run.requested_action">): Promise<void> => {
    if (isBotSender(context)) return;
    const { check_run: checkRun, requested_action: action, repository, sender, installation } = context.payload;
    if (checkRun.name === FORK_APPROVAL_CHECK && action?.identifier === APPROVE_FORK_ACTION.identifier) {
      await approveFromButton(context, train, clock);
      return;
    }
    const runId = checkRun.external_id ?? "";
    if (!checkRun.name.startsWith(TRAIN_CHECK_PREFIX) || !isRunId(runId) || !installation || !action) {
      context.log.debug(`ignoring requested action on check "${checkRun.name}"`);
      return;
    }
    const owner = repository.owner.login;
    const repo = repository.name;
    const octokit = context.octokit;
    const registry = new RunRegistry(train.store);
    const request = await registry.readRequest(owner, repo, runId);
    if (!request) {
      context.log.warn({ runId }, "requested action on a run the store does not know; ignoring");
      return;
    }
    const say = (body: string) => octokit.rest.issues.createComment({ owner, repo, issue_number: request.pullNumber, body: `@${sender.login} ${body}` });

    await withKeyedLock(`train:${owner}/${repo}#${request.pullNumber}`, async () => {
      try {
        const config = await readTrainConfig(context);
        if (!config.ok) {
          await say(config.message);
          return;
        }
        const allowed = await authorizeCommenter(octokit, { owner, repo }, sender.login, config.config.permission);
        if (!allowed.ok) {
          await say(allowed.message);
          return;
        }
        if (action.identifier === CANCEL_ACTION.identifier) {
          await cancelRuns(octokit, { owner, repo, pullNumber: request.pullNumber, runId, by: sender.login }, train, clock);
          return;
        }
        if (action.identifier !== RERUN_ACTION.identifier) {
          context.log.debug(`ignoring unknown action "${action.identifier}"`);
          return;
        }
        if (!(await registry.claimDelivery(owner, repo, context.id))) {
          context.log.info({ runId, deliveryId: context.id }, "re-run already started for this delivery (redelivered webhook); nothing to do");
          return;
        }
        await rerun(octokit, request, { registry, train, clock, by: sender.login, installationId: installation.id, config: config.config, say });
      } catch (error) {
        const reason = describeError(error);
        context.log.error({ deliveryId: context.id, runId, reason }, "check run action failed");
        await say(`nbtrain could not ${action.identifier === RERUN_ACTION.identifier ? "re-run" : "cancel"} run \`${runId}\`: ${reason}`);
      }
    });
  };
}

async function rerun(
  octokit: GitHubClient,
  request: RunRequest,
  deps: { registry: RunRegistry; train: TrainDeps; clock: () => Date; by: string; installationId: number; config: TrainConfig; say: (body: string) => Promise<unknown> },
): Promise<void> {
  const { owner, repo } = request;
  const reruns = (await deps.registry.listPullRuns(owner, repo, request.pullNumber)).flatMap((id) => {
    const match = new RegExp(`^c${request.commentId}-r(\\d+)$`, "u").exec(id);
    return match ? [Number(match[1])] : [];
  });
  const runId = deriveRunId(request.commentId, { rerun: Math.max(0, ...reruns) + 1 });
  const bytes = await deps.registry.readInput(owner, repo, request.runId);
  if (!bytes) {
    await deps.say(`run \`${request.runId}\` has no staged notebook in the store any more; comment \`/train\` to start a new run.`);
    return;
  }
  const { resources } = request;
  const active = await countActiveRuns(deps.registry, deps.train.compute, { owner, repo, pullNumber: request.pullNumber }, {
    perRepo: deps.config.limits.max_concurrent_per_repo,
    perPullRequest: deps.config.limits.max_concurrent_per_pr,
  });
  const limits = checkTrainLimits(
    { kind: "run", notebook: request.notebook, parameters: request.parameters, gpu: resources.gpuType, gpus: resources.gpus, memoryMiB: resources.memoryMiB, timeoutSeconds: resources.timeoutSeconds, spot: resources.spot },
    deps.config,
    active,
  );
  if (!limits.ok) {
    await deps.say(`run \`${request.runId}\` was not re-run: ${limits.message}`);
    return;
  }
  const policy = judgeOperatorPolicy(
    { kind: "run", parameters: request.parameters, gpus: resources.gpus, memoryMiB: resources.memoryMiB, timeoutSeconds: resources.timeoutSeconds },
    deps.config,
    limits.resources,
    deps.train,
  );
  if (!policy.ok) {
    await deps.say(`run \`${request.runId}\` was not re-run: ${policy.message}`);
    return;
  }
  // The same commit trains again: its approval (if it is a fork's) still holds, unless the repository now denies forks.
  const { data: pull } = await octokit.rest.pulls.get({ owner, repo, pull_number: request.pullNumber });
  const trust = await checkForkTrust(pull, request.headSha, { owner, repo }, deps.config, deps.train);
  if (!trust.ok) {
    await deps.say(`run \`${request.runId}\` was not re-run: ${trust.message}`);
    return;
  }
  const outcome = await startTrainRun(
    octokit,
    { ...request, runId, notebookBytes: bytes, resources: limits.resources, requestedBy: deps.by, installationId: deps.installationId },
    deps.train,
    deps.clock,
  );
  if (outcome.kind === "failed") await deps.say(`the re-run \`${runId}\` of \`${request.runId}\` could not be started: ${outcome.reason}`);
}

/**
 * **Approve fork** on the approval check run: the clicker needs maintain or admin. The check run
 * names its PR in its external id (a fork's check run payload lists no pull request) and its
 * commit in `head_sha`; the approval is of that commit. Answered on the PR and in the check run.
 */
async function approveFromButton(context: Context<"check_run.requested_action">, train: TrainDeps, clock: () => Date): Promise<void> {
  const { check_run: checkRun, repository, sender } = context.payload;
  const owner = repository.owner.login;
  const repo = repository.name;
  const pullNumber = Number(/^fork-approval:(\d+)$/u.exec(checkRun.external_id ?? "")?.[1] ?? NaN);
  if (!Number.isInteger(pullNumber)) {
    context.log.warn(`approval check run ${checkRun.id} names no pull request; ignoring`);
    return;
  }
  const octokit = context.octokit;
  await withKeyedLock(`train:${owner}/${repo}#${pullNumber}`, async () => {
    const [permission, { data: pull }] = await Promise.all([readPermission(octokit, { owner, repo }, sender.login), octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber })]);
    const outcome = await approveFork({ owner, repo, pull, headSha: checkRun.head_sha, by: sender.login, permission }, train, clock());
    await octokit.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body: outcome.message });
    if (outcome.ok) {
      await octokit.rest.checks.update({
        owner,
        repo,
        check_run_id: checkRun.id,
        conclusion: "success",
        output: { title: `Approved by @${sender.login}`, summary: outcome.message },
        actions: [],
      });
    }
  });
}
