import { normaliseNotebookPath } from "../../commands/normalise-notebook-path.js";
import { tokenizeCommandLine } from "../../commands/tokenize-command-line.js";

/** At most this many notebooks per `/share`; each is a download, a lint and an upload. */
export const MAX_SHARE_PATHS = 20;

export type ShareComment = { ok: true; paths: string[] } | { ok: false; message: string };

/**
 * Reads `/share [path.ipynb …]` from the first line of a comment, or null when the comment is
 * not a `/share` command. Paths are quoted like a shell's; with none, the PR's changed notebooks
 * are meant. Paths are checked so they cannot leave the repository.
 */
export function parseShareComment(body: string): ShareComment | null {
  const line = (body.split(/\r?\n/u, 1)[0] ?? "").trim();
  const match = /^\/share(?=\s|$)(.*)$/u.exec(line);
  if (!match) return null;
  const tokens = tokenizeCommandLine(match[1]!);
  if (!Array.isArray(tokens)) return { ok: false, message: tokens.message };
  if (tokens.length > MAX_SHARE_PATHS) return { ok: false, message: `\`/share\` takes at most ${MAX_SHARE_PATHS} notebooks at once; you named ${tokens.length}.` };
  const paths: string[] = [];
  for (const token of tokens) {
    const result = normaliseNotebookPath(token.text);
    if ("error" in result) return { ok: false, message: result.error };
    if (!paths.includes(result.path)) paths.push(result.path);
  }
  return { ok: true, paths };
}
