import picomatch from "picomatch";
import type { Context } from "probot";
import type { TrainDeps } from "./train-deps.js";
import type { BaselineEntry } from "../config/train-config.js";
import { describeError } from "../github/describe-error.js";
import { listChangedFiles } from "../github/list-changed-files.js";
import { CONFIG_FILE } from "../github/read-repo-config.js";
import { readTrainConfig } from "./read-train-config.js";
import { startBaselineRun } from "./start-baseline-run.js";

const CONFIG_PATH = `.github/${CONFIG_FILE}`;
// GitHub lists at most 20 commits in a push payload; beyond that the compare API tells what changed.
const PAYLOAD_COMMITS = 20;
// A config change re-trains every listed notebook; this many at most per push.
const MAX_PER_PUSH = 10;

/** The first `train.baseline` entry whose glob matches `path`. */
export function baselineEntryFor(entries: readonly BaselineEntry[], path: string): BaselineEntry | undefined {
  return entries.find((entry) => picomatch(entry.notebook, { dot: true })(path));
}

/**
 * A push to the default branch: trains the `train.baseline` notebooks it changed (all of them
 * when it changed `.github/nbtrain.yml`), each as a baseline run of the pushed commit. Pushes to
 * other branches, tags and deletions train nothing; so does a repository without `train.baseline`.
 */
export async function trainBaselinesOnPush(context: Context<"push">, train: TrainDeps, now: () => Date): Promise<void> {
  const payload = context.payload;
  const owner = payload.repository.owner?.login;
  const branch = payload.repository.default_branch;
  if (!owner || payload.deleted || /^0+$/u.test(payload.after) || payload.ref !== `refs/heads/${branch}`) return;
  const installationId = payload.installation?.id;
  if (!installationId) return;
  const repo = payload.repository.name;
  const log = context.log.child({ repo: `${owner}/${repo}`, commit: payload.after });

  const read = await readTrainConfig(context);
  if (!read.ok) {
    log.warn({ reason: read.message }, "no baselines trained: the train config is invalid");
    return;
  }
  const entries = read.config.baseline;
  if (entries.length === 0) return;

  let changed: string[];
  if (payload.commits.length > 0 && payload.commits.length < PAYLOAD_COMMITS) {
    changed = [...new Set(payload.commits.flatMap((commit) => [...(commit.added ?? []), ...(commit.modified ?? [])]))];
  } else {
    const before = /^0+$/u.test(payload.before) ? null : payload.before;
    const { files } = await listChangedFiles(context.octokit, { kind: "push", owner, repo, headSha: payload.after, beforeSha: before, branch, defaultBranch: branch, payloadPaths: [] });
    changed = files.filter((file) => file.status !== "removed").map((file) => file.path);
  }

  let notebooks: string[];
  if (changed.includes(CONFIG_PATH)) {
    // The config (and so perhaps a baseline's parameters) changed: every listed notebook at this commit.
    const { data } = await context.octokit.rest.git.getTree({ owner, repo, tree_sha: payload.after, recursive: "true" });
    notebooks = data.tree.filter((item) => item.type === "blob" && item.path?.toLowerCase().endsWith(".ipynb")).map((item) => item.path!);
  } else {
    notebooks = changed.filter((path) => path.toLowerCase().endsWith(".ipynb"));
  }
  const targets = notebooks.flatMap((notebook) => {
    const entry = baselineEntryFor(entries, notebook);
    return entry ? [{ notebook, parameters: entry.parameters }] : [];
  });
  if (targets.length > MAX_PER_PUSH) log.warn({ skipped: targets.slice(MAX_PER_PUSH).map((t) => t.notebook) }, `more than ${MAX_PER_PUSH} baselines in one push; the rest are not trained`);

  for (const target of targets.slice(0, MAX_PER_PUSH)) {
    try {
      const outcome = await startBaselineRun(
        context.octokit,
        { owner, repo, branch, commit: payload.after, notebook: target.notebook, parameters: target.parameters, installationId, requestedBy: payload.pusher?.name ?? payload.sender?.login ?? "push" },
        read.config,
        train,
        now,
      );
      if (outcome.kind === "submitted") log.info({ runId: outcome.runId, notebook: target.notebook }, "baseline run submitted");
      else if (outcome.kind === "exists") log.info({ runId: outcome.runId }, "baseline run already submitted for this commit (redelivered push)");
      else log.warn({ runId: outcome.runId, notebook: target.notebook, reason: outcome.message }, "baseline not trained");
    } catch (error) {
      log.error({ notebook: target.notebook, reason: describeError(error) }, "baseline run could not be started");
    }
  }
}
