import { GITHUB_LIMITS, textSize } from "./github-limits.js";
import { STICKY_MARKER } from "./render-pr-comment.js";
import { renderRunLine, runLineMarker, type RunLine } from "./render-run-line.js";

/** The Runs section sits between these hidden markers, after the notebook check's part. */
export const RUNS_START = "<!-- nbtrain:runs:start -->";
export const RUNS_END = "<!-- nbtrain:runs:end -->";
const RUNS_HEADING = "### nbtrain · training runs";
const MAX_RUNS = 100;

/** What one writer changes in the sticky comment: the notebook check's part, or one run's line. */
export type StickyChange = { kind: "check"; body: string } | { kind: "run"; line: RunLine };

/**
 * The sticky comment after one change. The comment holds two parts with no database behind
 * them: the notebook check's (from {@link STICKY_MARKER} to the Runs section) and the Runs
 * section (one line per run, each starting with a hidden run marker). Each writer replaces only
 * its own part, or its own line, and keeps the rest as found. The oldest run lines go first
 * when the body would pass GitHub's 65,536 limit.
 */
export function composeStickyComment(existing: string | undefined, change: StickyChange): string {
  const parsed = parseSticky(existing);
  let check = parsed.check;
  let lines = parsed.lines;
  if (change.kind === "check") {
    check = stripRuns(change.body);
  } else {
    const marker = runLineMarker(change.line.runId);
    const rendered = renderRunLine(change.line);
    const at = lines.findIndex((line) => line.startsWith(`- ${marker}`));
    lines = at === -1 ? [...lines, rendered] : lines.map((line, i) => (i === at ? rendered : line));
  }
  lines = lines.slice(-MAX_RUNS);
  let body = compose(check, lines);
  while (textSize(body) > GITHUB_LIMITS.commentBody && lines.length > 1) {
    lines = lines.slice(1);
    body = compose(check, lines);
  }
  return body;
}

// Without runs the check's part is sent exactly as rendered, so a comment with no Runs section
// reads as before this section existed.
function compose(check: string, lines: readonly string[]): string {
  if (lines.length === 0) return check === "" ? STICKY_MARKER : check;
  const head = check === "" ? STICKY_MARKER : check.replace(/\s+$/u, "");
  return `${head}\n\n${RUNS_START}\n${RUNS_HEADING}\n\n${lines.join("\n")}\n${RUNS_END}\n`;
}

function parseSticky(body: string | undefined): { check: string; lines: string[] } {
  if (body === undefined) return { check: "", lines: [] };
  const start = body.indexOf(RUNS_START);
  const end = body.indexOf(RUNS_END, start);
  const check = start === -1 ? body : body.slice(0, start).replace(/\s+$/u, "");
  const section = start === -1 ? "" : body.slice(start + RUNS_START.length, end === -1 ? undefined : end);
  const lines = section.split("\n").filter((line) => line.startsWith("- <!-- nbtrain:run:"));
  // A comment holding only the marker has no check part yet.
  return { check: check.trim() === STICKY_MARKER ? "" : check, lines };
}

function stripRuns(body: string): string {
  const start = body.indexOf(RUNS_START);
  return start === -1 ? body : body.slice(0, start);
}
