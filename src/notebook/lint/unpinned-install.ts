import type { Finding } from "../finding.js";
import type { LintRule } from "./lint-rule.js";
import { splitLines, type CellView } from "./notebook-view.js";

// A shell escape (`!cmd`) or a line magic (`%pip`); the rest of the line is shell.
const SHELL_ESCAPE = /^\s*[!%]\s*(.*)$/;
// In a `%%bash` or `%%sh` cell every line is shell.
const SHELL_CELL = /^\s*%%(?:bash|sh|script\s+(?:ba)?sh)\b/;
// `pip install`, `pip3`, `python -m pip`, `{sys.executable} -m pip`, `uv pip`.
const PIP_INSTALL = /^\s*(?:(?:\{sys\.executable\}|python[0-9.]*|py)\s+-m\s+)?(?:uv\s+)?pip[0-9.]*\s+install(?=\s|$)(.*)$/;

/** The argument lists of every `pip install` in one shell line (`cd x && pip install y`). */
function pipInstallArgs(shell: string): string[] {
  const args: string[] = [];
  for (const command of shell.split(/&&|\|\||;/)) {
    const match = PIP_INSTALL.exec(command);
    if (match) args.push(match[1] ?? "");
  }
  return args;
}

/** Options that take the next word as their value; the value is not a package. */
const OPTIONS_WITH_VALUE = new Set([
  "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url",
  "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--src", "--platform", "--python-version",
  "--implementation", "--abi", "--only-binary", "--no-binary", "--upgrade-strategy", "--trusted-host",
  "--cache-dir", "--log", "--timeout", "--retries", "--proxy", "-C", "--config-settings", "--global-option",
  "--install-option", "--report", "--root-user-action", "--progress-bar", "--python", "--index-strategy",
]);

/** Build tools: upgrading them to the latest release is routine and rarely changes results. */
const EXEMPT = new Set(["pip", "setuptools", "wheel"]);

/** Moving branch names: a git URL at one of these is no more pinned than none. */
const MOVING_REFS = new Set(["main", "master", "head", "dev", "develop", "trunk", "nightly", "latest"]);

interface ShellWord {
  text: string;
  /** The word ended at an unquoted `<` or `>`: the shell took the rest as a redirection. */
  redirected: boolean;
}

/**
 * Splits a shell command into words as the shell would, honouring quotes and backslashes. Stops at
 * a comment, a command separator or a redirection that starts a word. An unquoted `>` or `<` inside
 * a word (`numpy>=1.24`) is a redirection too: the word ends there and its target is dropped.
 */
function shellWords(command: string): ShellWord[] {
  const words: ShellWord[] = [];
  let i = 0;
  for (;;) {
    while (i < command.length && /\s/.test(command[i] as string)) i++;
    if (i >= command.length || /^(?:[#;&|<>]|\d+>)/.test(command.slice(i, i + 3))) return words;
    let word = "";
    let redirected = false;
    while (i < command.length && !/\s/.test(command[i] as string)) {
      const c = command[i] as string;
      if (c === '"' || c === "'") {
        const end = command.indexOf(c, i + 1);
        const close = end < 0 ? command.length : end;
        word += command.slice(i + 1, close);
        i = close + 1;
      } else if (c === "\\" && i + 1 < command.length) {
        word += command[i + 1];
        i += 2;
      } else if (c === ";" || c === "&" || c === "|") {
        if (word) words.push({ text: word, redirected });
        return words;
      } else if (c === ">" || c === "<") {
        redirected = true;
        // The target is the rest of this word, or the next word after `> `.
        while (i < command.length && /[<>=&]/.test(command[i] as string)) i++;
        while (i < command.length && /\s/.test(command[i] as string)) i++;
        while (i < command.length && !/\s/.test(command[i] as string)) i++;
      } else {
        word += c;
        i++;
      }
    }
    words.push({ text: word, redirected });
  }
}

/** The package name of a requirement word that names no version, or null when it is pinned or not a package. */
function unpinnedName(word: string): string | null {
  // Interpolated values ($VAR, {var}) cannot be judged.
  if (/[${}]/.test(word)) return null;
  if (/^git\+|^[a-z]+:\/\//i.test(word)) return gitUnpinned(word) ? word.replace(/^git\+/, "").replace(/\.git.*$/, "") : null;
  // Local paths and archives pin themselves.
  if (/^[./~]|\.(?:whl|zip|tar\.gz|tgz)$/i.test(word) || word.includes("/")) return null;
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$/.exec(word);
  if (!match) return null;
  const name = match[1] as string;
  const rest = (match[3] ?? "").split(";")[0] as string;
  if (EXEMPT.has(name.toLowerCase())) return null;
  // `name @ url` is a direct reference; judge the url.
  if (rest.startsWith("@")) return gitUnpinned(rest.slice(1).trim()) ? name : null;
  return /(?:===?|~=|>=?|<=?)\s*[0-9*]/.test(rest) ? null : name;
}

function gitUnpinned(url: string): boolean {
  if (!/^git\+/i.test(url)) return false;
  const ref = /\.git@([^#]+)|github\.com\/[^/]+\/[^/@#]+@([^#]+)/.exec(url);
  const value = ref?.[1] ?? ref?.[2];
  return value === undefined || MOVING_REFS.has(value.toLowerCase());
}

/** The unpinned packages of one `pip install` argument list, and whether the shell ate a specifier. */
function unpinnedPackages(args: string): { names: string[]; redirected: boolean } {
  const words = shellWords(args);
  const names: string[] = [];
  let redirected = false;
  for (let i = 0; i < words.length; i++) {
    const word = (words[i] as ShellWord).text;
    if (word.startsWith("-")) {
      if (OPTIONS_WITH_VALUE.has(word)) i++;
      continue;
    }
    if (words[i + 1]?.text === "@") {
      // `name @ url`, a direct reference: pinned unless the url is a moving git ref.
      const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(word)?.[0];
      const url = words[i + 2]?.text ?? "";
      i += 2;
      if (name && !EXEMPT.has(name.toLowerCase()) && gitUnpinned(url)) names.push(name);
      continue;
    }
    const name = unpinnedName(word);
    if (name !== null) {
      names.push(name);
      if ((words[i] as ShellWord).redirected) redirected = true;
    }
  }
  return { names, redirected };
}

/** Flags `!pip install x` / `%pip install x` lines that install packages without a version. */
export const unpinnedInstallRule: LintRule = {
  id: "unpinned-install",
  defaultSeverity: "warning",
  summary: "`!pip install x` or `%pip install x` without a version, at the exact source line",
  check({ notebook }) {
    const findings: Finding[] = [];
    const cells = notebook.cells;
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c] as CellView;
      if (cell.type !== "code" || !cell.source || !cell.source.text.includes("pip")) continue;
      const lines = splitLines(cell.source.text);
      const shell = SHELL_CELL.test(lines[0] ?? "");
      for (let i = 0; i < lines.length; i++) {
        const first = i;
        // A trailing backslash continues the command on the next line (joined once, not re-sliced per line).
        const parts = [lines[i] as string];
        while ((parts[parts.length - 1] as string).endsWith("\\") && i + 1 < lines.length) {
          parts[parts.length - 1] = (parts[parts.length - 1] as string).slice(0, -1);
          parts.push(lines[++i] as string);
        }
        const line = parts.join(" ");
        // A command that installs names pip: the other lines of a cell that mentions it (`Pipeline`) need no regex.
        if (!line.includes("pip")) continue;
        const command = shell ? line : SHELL_ESCAPE.exec(line)?.[1];
        if (command === undefined) continue;
        const found = pipInstallArgs(command).map(unpinnedPackages);
        const packages = found.flatMap((f) => f.names);
        if (packages.length === 0) continue;
        const redirect = found.some((f) => f.redirected)
          ? " Quote any requirement with `<` or `>` (for example `'numpy>=1.24'`): unquoted, the shell reads it as a redirection, installs the latest version and writes a stray file."
          : "";
        const shown = packages.slice(0, 5).map((p) => `\`${p}\``).join(", ") + (packages.length > 5 ? ` and ${packages.length - 5} more` : "");
        const example = packages[0]?.includes("://") ? "a tag or commit (`…@v1.2.0`)" : `a version (for example \`${packages[0]}==X.Y.Z\`, the one you tested with)`;
        findings.push({
          rule: "unpinned-install",
          severity: "warning",
          message: `pip installs ${shown} without a version, so a later run may get different code. Pin each to ${example}.${redirect}`,
          path: cell.source.path,
          lineInValue: first,
        });
      }
    }
    return findings;
  },
};
