import { colabUrl, COLAB_BADGE_URL } from "../links/colab-url.js";
import { driveColabUrl } from "../links/drive-colab-url.js";
import { githubBlobUrl } from "../links/github-blob-url.js";
import { nbviewerUrl } from "../links/nbviewer-url.js";
import type { ChangeSummary } from "../notebook/summarize-changes.js";
import { countFindings } from "./count-findings.js";
import { escapeMarkdown } from "./escape-markdown.js";
import { fillTemplate } from "./fill-template.js";
import { GITHUB_LIMITS, textSize } from "./github-limits.js";
import type { NotebookResult, ReviewCopy } from "./notebook-result.js";
import { sortResults } from "./sort-results.js";
import { truncateText } from "./truncate-text.js";

/** Hidden first line that marks the bot's one sticky comment on a pull request. */
export const STICKY_MARKER = "<!-- nbtrain:sticky -->";

export interface PrCommentInput {
  owner: string;
  repo: string;
  headSha: string;
  /** The base commit the changes were measured against. */
  baseSha: string;
  results: NotebookResult[];
  /** Markdown sentences the app writes about the run as a whole, such as a file list GitHub cut short. */
  notes: string[];
  /** Markdown list items, one per command the app handles. */
  commands: string[];
  /** templates/pr-comment.md: placeholders `head`, `base`, `totals`, `rows`, `overflow`, `notes`, `commands`. */
  template: string;
  /** The web host for GitHub links; `https://github.com` unless on GitHub Enterprise Server. */
  webBase?: string;
}

/** Room kept for the overflow line, which is written once the count is known. */
const OVERFLOW_RESERVE = 400;

/**
 * The sticky PR comment: a row per changed notebook with its status, Open in Colab, nbviewer
 * and GitHub links pinned to the head SHA, and what changed against the base. The body starts
 * with {@link STICKY_MARKER} and stays within GitHub's 65,536 limit; rows that do not fit are
 * summarised in one line.
 */
export function renderPrComment(input: PrCommentInput): string {
  const results = sortResults(input.results);
  const webBase = input.webBase ?? "https://github.com";
  const commitUrl = (sha: string): string =>
    `${webBase}/${encodeURIComponent(input.owner)}/${encodeURIComponent(input.repo)}/commit/${encodeURIComponent(sha)}`;
  const withErrors = results.filter((r) => countFindings(r).errors > 0).length;
  const withWarnings = results.filter((r) => countFindings(r).errors === 0 && countFindings(r).warnings > 0).length;
  const skipped = results.filter((r) => r.status === "skipped").length;
  const totals = [
    `**${plural(results.length, "notebook")}**`,
    `${withErrors} with errors`,
    `${withWarnings} with warnings only`,
    ...(skipped > 0 ? [`${skipped} skipped`] : []),
  ].join(" · ");

  const values = {
    head: `[\`${input.headSha.slice(0, 7)}\`](${commitUrl(input.headSha)})`,
    base: `[\`${input.baseSha.slice(0, 7)}\`](${commitUrl(input.baseSha)})`,
    totals,
    notes: input.notes.map((note) => `> ${note}`).join("\n>\n"),
    commands: input.commands.join("\n"),
  };
  const fixed = textSize(STICKY_MARKER) + 1 + textSize(fillTemplate(input.template, { ...values, rows: "", overflow: "" }));
  const budget = GITHUB_LIMITS.commentBody - fixed - OVERFLOW_RESERVE;

  const rows: string[] = [];
  let used = 0;
  for (const result of results) {
    const row = commentRow(result, input, webBase);
    const size = textSize(row) + 1;
    if (used + size > budget) break;
    rows.push(row);
    used += size;
  }
  const hidden = results.slice(rows.length);
  const overflow =
    hidden.length === 0
      ? ""
      : `\n_…and ${plural(hidden.length, "more notebook")} not shown, since a comment holds at most 65,536 characters: ${hidden.filter((r) => countFindings(r).errors > 0).length} with errors, ${hidden.filter((r) => r.status === "skipped").length} skipped. The \`nbtrain / notebooks\` check run lists them all._\n`;
  const body = `${STICKY_MARKER}\n${fillTemplate(input.template, { ...values, rows: rows.join("\n"), overflow })}`;
  return truncateText(body, GITHUB_LIMITS.commentBody, "\n\n_…comment truncated at GitHub's 65,536-character limit; see the check run._\n");
}

function commentRow(result: NotebookResult, input: PrCommentInput, webBase: string): string {
  const ref = { owner: input.owner, repo: input.repo, sha: input.headSha, path: result.path };
  const name = escapeMarkdown(result.path);
  if (result.status === "skipped") {
    const link = result.reason === "too-large" ? `[${name}](${githubBlobUrl(ref, webBase)})` : name;
    return `| ${link} | ⏭️ skipped: ${escapeMarkdown(result.detail)} | – | – |`;
  }
  const counts = countFindings(result);
  const status =
    counts.errors > 0
      ? `❌ ${plural(counts.errors, "error")}, ${plural(counts.warnings, "warning")}`
      : counts.warnings > 0
        ? `⚠️ ${plural(counts.warnings, "warning")}`
        : "✅ ok";
  const open = `[![Open In Colab](${COLAB_BADGE_URL})](${colabUrl(ref)}) [nbviewer](${nbviewerUrl(ref)})${describeReviewCopy(result.reviewCopy)}`;
  return `| [${name}](${githubBlobUrl(ref, webBase)}) | ${status} | ${open} | ${describeChanges(result.changes)} |`;
}

/** The review copy's link after the GitHub-pinned ones, with the commit the copy holds. */
function describeReviewCopy(copy: ReviewCopy | undefined): string {
  if (copy === undefined) return "";
  const link = (c: { fileId: string; sha: string }): string => `[Open review copy in Colab](${driveColabUrl(c.fileId)}) (holds \`${c.sha.slice(0, 7)}\`)`;
  if (copy.kind === "shared") return `<br>${link(copy)}`;
  if (copy.kind === "withheld") return `<br>🔒 no review copy: ${escapeMarkdown(copy.reason)}`;
  return copy.previous ? `<br>${link(copy.previous)}, not updated: see the note below` : "<br>⚠️ no review copy: see the note below";
}

/** One table cell saying what moved; "outputs only" and "source changed" lead so reviewers see it first. */
export function describeChanges(changes: ChangeSummary | undefined): string {
  if (changes === undefined) return "–";
  if (changes.kind === "added") return `new notebook, ${plural(changes.cellsAfter, "cell")}`;
  if (changes.kind === "unreadable") return `not compared: ${escapeMarkdown(changes.reason)}`;
  const structural = changes.added + changes.removed + changes.sourceEdited;
  const parts: string[] = [];
  if (changes.added > 0 || changes.removed > 0) parts.push(`+${changes.added} −${changes.removed} cells`);
  if (changes.sourceEdited > 0) parts.push(`${changes.sourceEdited} source edited`);
  if (changes.outputsOnly > 0) parts.push(`${changes.outputsOnly} output-only`);
  if (changes.metadataOnly > 0) parts.push(`${changes.metadataOnly} metadata-only`);
  if (changes.notebookMetadataChanged) parts.push("notebook metadata");
  const lead =
    structural > 0 ? "**source changed**" : changes.outputsOnly > 0 ? "**outputs only**" : parts.length > 0 ? "**metadata only**" : "no cell changes";
  return parts.length > 0 ? `${lead}: ${parts.join(", ")}` : lead;
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString("en-US")} ${noun}${count === 1 ? "" : "s"}`;
}
