import { checkTrainLimits } from "../commands/check-train-limits.js";
import { deriveRunId } from "../commands/derive-run-id.js";
import { resolveNotebook } from "../commands/resolve-notebook.js";
import type { RunCommand } from "../commands/train-command.js";
import type { TrainDeps } from "./train-deps.js";
import { describeError } from "../github/describe-error.js";
import { fetchNotebook } from "../github/fetch-notebook.js";
import { listChangedFiles } from "../github/list-changed-files.js";
import { reactToComment } from "../github/react-to-comment.js";
import { isRunId } from "../commands/derive-run-id.js";
import { runLayout } from "../runs/run-layout.js";
import { RunRegistry } from "../runs/run-registry.js";
import { checkFromLocation } from "./check-from-location.js";
import { newRunRequest } from "../runs/run-request.js";
import { admitTrainComment } from "./admit-train-comment.js";
import { admitUnderLimits } from "./admit-under-limits.js";
import { createClaims } from "../util/claims.js";
import { checkForkTrust, requestForkApproval } from "./fork-trust.js";
import { judgeOperatorPolicy } from "./judge-operator-policy.js";
import { refuse } from "./refuse-comment.js";
import { startTrainRun } from "./start-train-run.js";
import type { TrainComment } from "./train-comment.js";

/** How long a claimed run id stays with its instance before a redelivery may take it over. */
const RUN_CLAIM_LEASE_MS = 10 * 60_000;

/**
 * `/train [NOTEBOOK] …` on a pull request, in one pass:
 * - a redelivered webhook is recognised once, by the run's request in the store, and submits nothing;
 * - the same delivery on two instances at once: the run id is claimed in the store (a conditional
 *   create), and the loser stops quietly and logs it;
 * - the config, the commenter's permission and the PR are read together and judged;
 * - the PR's head SHA at this moment is what trains (a fork's later push needs a new command);
 * - the notebook must exist at that SHA (named, or the PR's one changed notebook);
 * - a fork's head commit needs a maintainer's approval (train.forks);
 * - the repository's limits are checked against the active runs in the store, under the
 *   repository's lock there, so instances cannot both pass a limit; then the operator's
 *   allow-lists and caps;
 * - then 👀, the request, the check run, `Compute.submit` and 🚀.
 */
export async function runTrainCommand(command: RunCommand, comment: TrainComment, train: TrainDeps, now: () => Date): Promise<void> {
  const { octokit, ref, log } = comment;
  const runId = deriveRunId(ref.commentId);
  const registry = new RunRegistry(train.store);

  // The one redelivery check: one store read, no GitHub call.
  const stored = await registry.readRequest(ref.owner, ref.repo, runId);
  if (stored?.submittedAt) {
    log.info({ runId }, "run already submitted for this comment (redelivered webhook); nothing to do");
    return;
  }

  // Exactly one instance goes on for a run id. The lease lets a redelivery take over from an
  // instance that died before it submitted (the stored request above tells it what was done).
  if (!(await createClaims(train.store, now).claim(`runs/${ref.owner}/${ref.repo}/${runId}`, comment.deliveryId, { leaseMs: RUN_CLAIM_LEASE_MS }))) {
    log.info({ runId }, "another instance is handling this /train (its run id is claimed in the store); this delivery stops here");
    return;
  }

  const admitted = await admitTrainComment(comment, ref.issueNumber);
  if (!admitted) return;
  const { config, pull: pr } = admitted;
  let from: string | undefined;
  if (command.from !== undefined) {
    const checked = await checkFrom(command.from, registry, train, ref);
    if (!checked.ok) {
      await refuse(octokit, ref, checked.message);
      return;
    }
    from = checked.from;
  }
  if (pr.state !== "open") {
    await refuse(octokit, ref, `This pull request is ${pr.merged_at ? "merged" : "closed"}, so nothing was trained. Reopen it, or train from an open pull request.`);
    return;
  }
  // Exactly this commit trains, whoever pushes to the PR (or its fork) afterwards.
  const headSha = stored?.headSha ?? pr.head.sha;

  // A fork's commit runs only once a maintainer approved exactly it (train.forks).
  const trust = await checkForkTrust(pr, headSha, ref, config, train);
  if (!trust.ok) {
    if (trust.reason !== "denied") await requestForkApproval(octokit, ref, ref.issueNumber, headSha, trust.message, now());
    log.info({ sha: headSha, reason: trust.reason }, "refused /train on a fork");
    await refuse(octokit, ref, trust.message);
    return;
  }

  let notebook = command.notebook;
  if (notebook === undefined) {
    const { files } = await listChangedFiles(octokit, { kind: "pull_request", owner: ref.owner, repo: ref.repo, number: ref.issueNumber, headSha, baseSha: pr.base.sha });
    const changed = files.filter((file) => file.status !== "removed" && file.path.toLowerCase().endsWith(".ipynb")).map((file) => file.path);
    const resolved = resolveNotebook(undefined, changed);
    if (!resolved.ok) {
      await refuse(octokit, ref, resolved.error.message, true);
      return;
    }
    notebook = resolved.command;
  }

  const fetched = await fetchNotebook(octokit, { owner: ref.owner, repo: ref.repo, path: notebook, sha: headSha });
  if (fetched.kind !== "file") {
    const why = { "not-found": "does not exist", "too-large": "is over the 100 MB GitHub serves", submodule: "is a submodule, not a file" }[fetched.kind];
    await refuse(octokit, ref, `\`${notebook.replace(/`/gu, "'")}\` ${why} at this pull request's head (${headSha.slice(0, 7)}). Name a notebook the PR contains: \`/train path/to/notebook.ipynb\`.`);
    return;
  }

  const limits = await admitUnderLimits(
    registry,
    train.compute,
    { owner: ref.owner, repo: ref.repo, pullNumber: ref.issueNumber, runId },
    { perRepo: config.limits.max_concurrent_per_repo, perPullRequest: config.limits.max_concurrent_per_pr },
    (active) => checkTrainLimits(command, config, active),
  );
  if (!limits.ok) {
    await refuse(octokit, ref, limits.message);
    return;
  }
  // Then the operator's allow-lists and caps, which no repository config can lift.
  const policy = judgeOperatorPolicy(command, config, limits.resources, train);
  if (!policy.ok) {
    log.info({ key: policy.key }, "refused /train: outside the deployment's allow-lists");
    await registry.clearActive(ref.owner, ref.repo, ref.issueNumber, runId); // admitted above, never started
    await refuse(octokit, ref, policy.message);
    return;
  }

  await reactToComment(octokit, ref, "eyes");
  const request = newRunRequest(
    {
      runId,
      commentId: ref.commentId,
      owner: ref.owner,
      repo: ref.repo,
      pullNumber: ref.issueNumber,
      headSha,
      baseRef: pr.base.ref,
      notebook,
      parameters: command.parameters,
      resources: limits.resources,
      requestedBy: ref.commenter,
      installationId: comment.installationId,
      ...(from ? { from } : {}),
      ...(limits.budgetSeconds ? { budget: { seconds: limits.budgetSeconds, startedAt: stored?.budget?.startedAt ?? now().toISOString() } } : {}),
    },
    stored?.requestedAt ?? now().toISOString(),
  );
  const outcome = await startTrainRun(octokit, { request, notebookBytes: fetched.bytes, source: { requirements: config.requirements, lfs: config.lfs }, stored }, train, now);
  if (outcome.kind === "failed") {
    await refuse(octokit, ref, `Run \`${runId}\` could not be started: ${outcome.reason}`);
    return;
  }
  if (outcome.kind === "duplicate") {
    log.info({ runId }, "the backend already had this run; nothing new submitted");
    return;
  }
  try {
    await reactToComment(octokit, ref, "rocket");
  } catch (error) {
    // The job is submitted and its check run shows it; a missing 🚀 must not read as a failure.
    log.warn({ runId, reason: describeError(error) }, "submitted, but the 🚀 reaction failed");
  }
  log.info({ runId, notebook, sha: headSha, checkRunId: outcome.checkRunId }, "training run submitted");
}

/**
 * `--from`: a run of this PR that saved a checkpoint, or a folder inside the store locations this
 * deployment is configured for. The job only reads it; what it writes stays under the new run.
 */
async function checkFrom(text: string, registry: RunRegistry, train: TrainDeps, ref: TrainComment["ref"]): Promise<{ ok: true; from: string } | { ok: false; message: string }> {
  // The deployment's store, its allowed stores (NBTRAIN_ALLOWED_STORES) and NBTRAIN_FROM_LOCATIONS.
  const checked = checkFromLocation(text, [train.storeUri, ...train.policy.stores, ...(train.fromLocations ?? [])]);
  if (!checked.ok || !checked.from.startsWith("run:")) return checked;
  const runId = checked.from.slice("run:".length);
  const source = isRunId(runId) ? await registry.readRequest(ref.owner, ref.repo, runId) : null;
  if (!source) return { ok: false, message: `\`--from ${text}\`: there is no run \`${runId}\` in this repository. \`/train status\` lists this pull request's runs.` };
  if (source.pullNumber !== ref.issueNumber) return { ok: false, message: `\`--from ${text}\`: run \`${runId}\` belongs to pull request #${source.pullNumber}; runs start from checkpoints of their own pull request's runs.` };
  if ((await registry.store.head(runLayout.key(source, "manifest"))) === null) {
    return { ok: false, message: `\`--from ${text}\`: run \`${runId}\` saved no checkpoint yet, so there is nothing to start from.` };
  }
  return checked;
}
