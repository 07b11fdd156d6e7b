import { excerpt } from "./excerpt.js";
import { CommandError } from "./train-command.js";

/** One word of a command line. */
export interface Token {
  /** As written, quotes and backslashes included: parameter values are parsed from this as YAML. */
  raw: string;
  /** With shell-style quoting removed: what a notebook path or flag value means. */
  text: string;
}

/**
 * Splits a command line into words the way a POSIX shell does, minus expansions: whitespace
 * separates, `'…'` is literal, `"…"` honours `\"` and `\\`, a backslash outside quotes escapes
 * the next character. Returns an error rather than throwing on an unterminated quote.
 */
export function tokenizeCommandLine(line: string): Token[] | CommandError {
  const tokens: Token[] = [];
  let raw = "";
  let text = "";
  let inToken = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      if (inToken) tokens.push({ raw, text });
      raw = "";
      text = "";
      inToken = false;
      i += 1;
      continue;
    }
    inToken = true;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return unterminated("'", line, i);
      raw += line.slice(i, end + 1);
      text += line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let inner = "";
      for (; j < line.length && line[j] !== '"'; j += 1) {
        const next = line[j + 1];
        if (line[j] === "\\" && (next === '"' || next === "\\")) {
          inner += next;
          j += 1;
        } else {
          inner += line[j];
        }
      }
      if (j >= line.length) return unterminated('"', line, i);
      raw += line.slice(i, j + 1);
      text += inner;
      i = j + 1;
    } else if (c === "\\" && i + 1 < line.length) {
      raw += line.slice(i, i + 2);
      text += line[i + 1];
      i += 2;
    } else {
      raw += c;
      text += c;
      i += 1;
    }
  }
  if (inToken) tokens.push({ raw, text });
  return tokens;
}

function unterminated(quote: string, line: string, at: number): CommandError {
  return new CommandError(
    "unterminated-quote",
    `The quote ${quote} opened at \`${excerpt(line.slice(at), 20)}\` is never closed; close it with a matching ${quote}.`,
  );
}
