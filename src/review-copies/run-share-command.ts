import type { Context } from "probot";
import { driveColabUrl } from "../links/drive-colab-url.js";
import type { ReviewCopy } from "../report/notebook-result.js";
import { escapeMarkdown } from "../report/escape-markdown.js";
import type { ShareComment } from "./plan/parse-share-comment.js";
import type { ConfigResult } from "../config/load-repo-config.js";
import type { Limits, RuleSeverities } from "../config/repo-config.js";
import type { NotebookReport } from "../notebook/finding.js";
import { authorizeCommenter } from "../github/authorize-commenter.js";
import { describeError } from "../github/describe-error.js";
import { fetchNotebook } from "../github/fetch-notebook.js";
import { withKeyedLock } from "../util/keyed-lock.js";
import { listChangedFiles } from "../github/list-changed-files.js";
import { mapWithConcurrency } from "../util/map-with-concurrency.js";
import { readRepoConfig } from "../github/read-repo-config.js";
import { reactToComment } from "../github/react-to-comment.js";
import { replyToComment, type CommentRef } from "../github/reply-to-comment.js";
import type { ShareDeps } from "./share-review-copies.js";
import { selectNotebooks } from "../github/select-notebooks.js";
import { splitShareConfig } from "./split-share-config.js";
import { startReviewCopies } from "./start-review-copies.js";

/** Notebooks downloaded, linted and uploaded at once by one `/share`. */
const SHARE_CONCURRENCY = 4;

/** What `/share` needs: the check's notebook checker and config parser, and the Drive review copies. */
export interface ShareCommandDeps {
  checkNotebook: (path: string, bytes: Uint8Array, options?: { rules?: RuleSeverities; limits?: Partial<Limits> }) => NotebookReport;
  parseRepoConfig: (value: unknown) => ConfigResult;
  share: ShareDeps;
}

/**
 * `/share [path.ipynb …]` on a pull request: creates or refreshes the review copies of the named
 * notebooks (changed by the PR or not), or of the PR's changed notebooks when none is named, at
 * the PR's head commit, and replies with their links. Needs write permission, like `/train`. The
 * same rules hold as for the check: a notebook with a secret error is never uploaded. A command
 * that does not parse gets a reply that says what is wrong.
 */
export async function runShareCommand(context: Context<"issue_comment.created">, parsed: ShareComment, deps: ShareCommandDeps): Promise<void> {
  const { comment, issue, repository } = context.payload;
  const ref: CommentRef = { owner: repository.owner.login, repo: repository.name, issueNumber: issue.number, commentId: comment.id, commenter: comment.user?.login ?? "unknown" };
  const octokit = context.octokit;
  const log = context.log.child({ deliveryId: context.id, repo: `${ref.owner}/${ref.repo}`, pr: ref.issueNumber, comment: ref.commentId });
  const refuse = async (message: string): Promise<void> => {
    await reactToComment(octokit, ref, "confused");
    await replyToComment(octokit, ref, message);
  };

  await withKeyedLock(`share:${ref.owner}/${ref.repo}#${ref.issueNumber}`, async () => {
    try {
      if (!parsed.ok) return await refuse(`That \`/share\` command has a problem: ${parsed.message}\n\nWrite \`/share\` for the notebooks this pull request changes, or \`/share path/to/notebook.ipynb …\`.`);
      if (issue.state === "closed") return await refuse("This pull request is closed, so no review copy was made. Reopen it first.");
      const allowed = await authorizeCommenter(octokit, ref, ref.commenter, "write");
      if (!allowed.ok) {
        log.info({ commenter: ref.commenter, permission: allowed.permission }, "refused /share: not enough permission");
        return await refuse(`\`/share\` needs **write** permission on this repository and you have **${allowed.permission}**. Ask a maintainer to run it.`);
      }
      const split = splitShareConfig(deps.parseRepoConfig);
      const config = await readRepoConfig(context, split.parse);
      if (!config.ok) return await refuse(`${config.message}\n\nFix it on the default branch, then comment \`/share\` again.`);
      const settings = split.settings();
      if (!settings) {
        return await refuse("Review copies are off for this repository. To turn them on, set `share.drive_folder` in `.github/nbtrain.yml` to a Google Drive folder shared with the app's account.");
      }

      const { data: pr } = await octokit.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: ref.issueNumber });
      if (pr.state !== "open") return await refuse(`This pull request is ${pr.merged_at ? "merged" : "closed"}, so no review copy was made.`);
      const headSha = pr.head.sha;
      let paths = parsed.paths;
      if (paths.length === 0) {
        const { files } = await listChangedFiles(octokit, { kind: "pull_request", owner: ref.owner, repo: ref.repo, number: ref.issueNumber, headSha, baseSha: pr.base.sha });
        paths = selectNotebooks(files, config.config).map((file) => file.path);
        if (paths.length === 0) return await refuse("This pull request changes no notebook, so there is nothing to share. Name one: `/share path/to/notebook.ipynb`.");
      }
      const session = await startReviewCopies(context, { owner: ref.owner, repo: ref.repo, number: ref.issueNumber, headSha }, settings, deps.share, { pr, onDemand: true });
      if (!session) return await refuse("Review copies could not be started for this repository; the app's operator can find why in the log.");

      const lines = await mapWithConcurrency(paths, SHARE_CONCURRENCY, async (path) => {
        const head = await fetchNotebook(octokit, { owner: ref.owner, repo: ref.repo, path, sha: headSha });
        const name = `\`${path.replaceAll("`", "'")}\``;
        if (head.kind === "not-found") return `- ${name}: not found at \`${headSha.slice(0, 7)}\`; check the path.`;
        if (head.kind !== "file") return `- ${name}: ${head.kind === "too-large" ? "over the 100 MB GitHub serves" : "a submodule"}, so not copied.`;
        const report = deps.checkNotebook(path, head.bytes, { rules: config.config.rules, limits: config.config.limits });
        return `- ${name}: ${describeCopy(await session.share(path, head.bytes, report))}`;
      });
      await session.finish();
      const notes = session.notes().map((note) => `> ${note}`).join("\n>\n");
      await replyToComment(octokit, ref, [`Review copies at \`${headSha.slice(0, 7)}\`:`, "", ...lines, ...(notes ? ["", notes] : [])].join("\n"));
      log.info({ notebooks: paths.length }, "/share done");
    } catch (error) {
      const reason = describeError(error);
      log.error({ reason }, "/share failed");
      await refuse(`nbtrain could not handle this command: ${reason}\n\nTry again; if it keeps failing, give the app's operator delivery id \`${context.id}\`.`);
    }
  });
}

function describeCopy(copy: ReviewCopy): string {
  if (copy.kind === "shared") return `[Open review copy in Colab](${driveColabUrl(copy.fileId)}) (holds \`${copy.sha.slice(0, 7)}\`)`;
  if (copy.kind === "withheld") return `🔒 not copied: ${escapeMarkdown(copy.reason)}`;
  return copy.previous
    ? `[Open review copy in Colab](${driveColabUrl(copy.previous.fileId)}) (holds \`${copy.previous.sha.slice(0, 7)}\`), not updated: see the note below`
    : "⚠️ not copied: see the note below";
}
