import { resolveNotebook } from "../commands/resolve-notebook.js";
import type { BaselineCommand } from "../commands/train-command.js";
import type { TrainDeps } from "./train-deps.js";
import { authorizeCommenter } from "../github/authorize-commenter.js";
import { listChangedFiles } from "../github/list-changed-files.js";
import { reactToComment } from "../github/react-to-comment.js";
import { replyToComment } from "../github/reply-to-comment.js";
import { admitTrainComment } from "./admit-train-comment.js";
import { refuse } from "./refuse-comment.js";
import { startBaselineRun } from "./start-baseline-run.js";
import { baselineEntryFor } from "./train-baselines-on-push.js";
import type { TrainComment } from "./train-comment.js";

/**
 * `/train baseline [NOTEBOOK]` on a PR, for maintainers: trains the baseline of the notebook (the
 * PR's one changed notebook when not named) at the PR's merge base with its base branch, which
 * must be the default branch, with the parameters its `train.baseline` entry gives (none when no
 * entry lists it). The PR's next `/train` then compares with it.
 */
export async function runBaselineCommand(command: BaselineCommand, comment: TrainComment, train: TrainDeps, now: () => Date): Promise<void> {
  const { octokit, ref } = comment;
  const admitted = await admitTrainComment(comment, ref.issueNumber);
  if (!admitted) return;
  const maintainer = await authorizeCommenter(octokit, { owner: ref.owner, repo: ref.repo }, ref.commenter, "maintain");
  if (!maintainer.ok) {
    await refuse(octokit, ref, `\`/train baseline\` records what every PR is compared with, so it needs **maintain** permission; you have **${maintainer.permission}**.`);
    return;
  }
  const { config, pull } = admitted;
  const { data: repository } = await octokit.rest.repos.get({ owner: ref.owner, repo: ref.repo });
  if (pull.base.ref !== repository.default_branch) {
    await refuse(octokit, ref, `Baselines belong to the default branch (\`${repository.default_branch}\`); this PR is into \`${pull.base.ref}\`.`);
    return;
  }
  let notebook = command.notebook;
  if (notebook === undefined) {
    const { files } = await listChangedFiles(octokit, { kind: "pull_request", owner: ref.owner, repo: ref.repo, number: ref.issueNumber, headSha: pull.head.sha, baseSha: pull.base.sha });
    const resolved = resolveNotebook(undefined, files.filter((file) => file.status !== "removed" && file.path.toLowerCase().endsWith(".ipynb")).map((file) => file.path));
    if (!resolved.ok) {
      await refuse(octokit, ref, resolved.error.message.replace("/train", "/train baseline"));
      return;
    }
    notebook = resolved.command;
  }
  const { data: compare } = await octokit.rest.repos.compareCommitsWithBasehead({ owner: ref.owner, repo: ref.repo, basehead: `${pull.base.ref}...${pull.head.sha}`, per_page: 1 });
  const commit = compare.merge_base_commit.sha;
  const entry = baselineEntryFor(config.baseline, notebook);
  await reactToComment(octokit, ref, "eyes");
  const outcome = await startBaselineRun(
    octokit,
    { owner: ref.owner, repo: ref.repo, branch: pull.base.ref, commit, notebook, parameters: entry?.parameters ?? {}, installationId: comment.installationId, requestedBy: ref.commenter },
    config,
    train,
    now,
  );
  const where = `\`${notebook.replace(/`/gu, "'")}\` at the merge base \`${commit.slice(0, 7)}\` of \`${pull.base.ref}\``;
  if (outcome.kind === "refused" || outcome.kind === "failed") {
    await refuse(octokit, ref, `The baseline of ${where} was not trained: ${outcome.message}`);
    return;
  }
  const parameters = entry ? "with the parameters `train.baseline` gives it" : "with its own defaults (no `train.baseline` entry lists it)";
  await replyToComment(
    octokit,
    ref,
    outcome.kind === "exists"
      ? `The baseline run \`${outcome.runId}\` of ${where} already exists; this PR's runs are compared with it once it succeeds.`
      : `Training the baseline of ${where} ${parameters} as run \`${outcome.runId}\`. Comment \`/train\` again once it has succeeded to see the deltas.`,
  );
  await reactToComment(octokit, ref, "rocket");
}
