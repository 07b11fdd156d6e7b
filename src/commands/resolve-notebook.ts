import { CommandError, type CommandResult } from "./train-command.js";

const LISTED = 10;

/**
 * Decides which notebook a `/train` means. A notebook the commenter named wins; otherwise the PR
 * must change exactly one notebook. The error lists the candidates so the reply can show the
 * command to write.
 *
 * @param requested - `RunCommand.notebook`, already normalised by the parser.
 * @param changedNotebooks - the `.ipynb` paths the PR adds or modifies (not removed ones).
 */
export function resolveNotebook(
  requested: string | undefined,
  changedNotebooks: readonly string[],
): CommandResult<string> {
  if (requested !== undefined) return { ok: true, command: requested };
  const candidates = [...new Set(changedNotebooks)].sort();
  if (candidates.length === 1) return { ok: true, command: candidates[0]! };
  if (candidates.length === 0) {
    return {
      ok: false,
      error: new CommandError(
        "no-notebook",
        "This pull request changes no notebook, so `/train` needs one named: `/train path/to/notebook.ipynb`.",
      ),
    };
  }
  const shown = candidates.slice(0, LISTED).map((path) => `- \`/train ${quoteIfNeeded(path)}\``);
  if (candidates.length > LISTED) shown.push(`- … and ${candidates.length - LISTED} more`);
  return {
    ok: false,
    error: new CommandError(
      "ambiguous-notebook",
      `This pull request changes ${candidates.length} notebooks; name the one to train:\n${shown.join("\n")}`,
    ),
  };
}

function quoteIfNeeded(path: string): string {
  return /^[\w./@+-]+$/.test(path) ? path : `'${path.replaceAll("'", `'"'"'`)}'`;
}
