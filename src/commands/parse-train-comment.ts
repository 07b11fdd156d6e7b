import { excerpt } from "./excerpt.js";
import { normaliseNotebookPath } from "./normalise-notebook-path.js";
import { parseDuration } from "./parse-duration.js";
import { parseParameterValue } from "./parse-parameter-value.js";
import { parseSize } from "./parse-size.js";
import { isRunId } from "./derive-run-id.js";
import { tokenizeCommandLine, type Token } from "./tokenize-command-line.js";
import { CommandError, type CommandResult, type ParameterValue, type RunCommand } from "./train-command.js";

/** Longest first line considered; a longer one is refused rather than scanned. */
export const MAX_COMMAND_LENGTH = 2000;

const VALUE_FLAGS = ["gpu", "gpus", "memory", "timeout"] as const;
const SWITCH_FLAGS = ["spot", "on-demand"] as const;
const ALL_FLAGS = [...VALUE_FLAGS, ...SWITCH_FLAGS, "help"];

// Names a notebook parameter cannot take, because the injected cell assigns them in Python.
const PYTHON_KEYWORDS = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(
    " ",
  ),
);

// The runner injects these itself and refuses them as user parameters (see RESERVED_PARAMETERS in
// src/runner/run-spec.ts); refusing them here tells the commenter at once instead of failing the job.
const RESERVED_PARAMETERS = new Set(["checkpoint_dir", "output_dir", "run_id", "resume"]);

/**
 * Parses the first line of a comment as a `/train` command.
 *
 * @returns `null` when the comment is not addressed to nbtrain (its first line does not start
 *   with `/train`), otherwise the typed command or a `CommandError` saying what is wrong.
 *   Never throws.
 */
export function parseTrainComment(body: string): CommandResult | null {
  const firstLine = (body.split(/\r\n|\n|\r/, 1)[0] ?? "").replace(/^[\s\uFEFF]+/, "");
  const match = /^\/train(?=\s|$)/.exec(firstLine);
  if (!match) return null;
  if (firstLine.length > MAX_COMMAND_LENGTH) {
    return fail("too-long", `The command is ${firstLine.length} characters long; keep it under ${MAX_COMMAND_LENGTH}.`);
  }
  const tokens = tokenizeCommandLine(firstLine.slice(match[0].length));
  if (tokens instanceof CommandError) return { ok: false, error: tokens };

  const head = tokens[0]?.raw;
  if (head === "help" || head === "--help" || head === "-h") return { ok: true, command: { kind: "help" } };
  if (head === "status") {
    if (tokens.length > 1) return unexpected(tokens[1]!, "`/train status` takes no arguments.");
    return { ok: true, command: { kind: "status" } };
  }
  if (head === "cancel") return parseCancel(tokens.slice(1));
  if (head === "baseline") return parseBaseline(tokens.slice(1));
  if (head === "approve") {
    if (tokens.length > 1) return unexpected(tokens[1]!, "`/train approve` takes no arguments: it approves the pull request's current head commit.");
    return { ok: true, command: { kind: "approve" } };
  }
  return parseRun(tokens);
}

function parseCancel(args: Token[]): CommandResult {
  if (args.length === 0) return { ok: true, command: { kind: "cancel" } };
  if (args.length > 1) return unexpected(args[1]!, "`/train cancel` takes at most one run id.");
  const runId = args[0]!.text;
  if (!isRunId(runId)) {
    return fail(
      "bad-run-id",
      `\`${excerpt(runId)}\` is not a run id; run ids look like \`c1234567890\` (see \`/train status\`).`,
    );
  }
  return { ok: true, command: { kind: "cancel", runId } };
}

function parseBaseline(args: Token[]): CommandResult {
  if (args.length === 0) return { ok: true, command: { kind: "baseline" } };
  if (args.length > 1) return unexpected(args[1]!, "`/train baseline` takes at most one notebook; its parameters come from `train.baseline` in `.github/nbtrain.yml`.");
  // The notebook goes through the same checks as a run's.
  const run = parseRun(args);
  if (!run.ok) return run;
  if (run.command.kind !== "run" || run.command.notebook === undefined) return unexpected(args[0]!, "`/train baseline` takes a notebook path, such as `/train baseline notebooks/train.ipynb`.");
  return { ok: true, command: { kind: "baseline", notebook: run.command.notebook } };
}

function parseRun(tokens: Token[]): CommandResult {
  const command: RunCommand = { kind: "run", parameters: {} };
  const parameters = new Map<string, ParameterValue>();
  const seenFlags = new Set<string>();

  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    if (token.raw.startsWith("-")) {
      const flag = parseFlag(tokens, i);
      if (flag instanceof CommandError) return { ok: false, error: flag };
      i = flag.next;
      if (flag.name === "help") return { ok: true, command: { kind: "help" } };
      if (seenFlags.has(flag.name)) return fail("duplicate-flag", `\`--${flag.name}\` is given twice; give it once.`);
      seenFlags.add(flag.name);
      const applied = applyFlag(command, flag.name, flag.value);
      if (applied) return { ok: false, error: applied };
      continue;
    }
    const parameter = /^([^\s"'=\\/]+)=/.exec(token.raw);
    if (parameter) {
      const name = parameter[1]!;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || PYTHON_KEYWORDS.has(name)) {
        return fail(
          "bad-parameter",
          `\`${excerpt(name)}\` is not a valid parameter name: use a Python variable name (letters, digits and _, not a keyword).`,
        );
      }
      if (RESERVED_PARAMETERS.has(name)) {
        return fail("bad-parameter", `\`${name}\` is set by nbtrain itself (with checkpoint_dir, output_dir, run_id and resume); pick another name.`);
      }
      if (parameters.has(name)) return fail("duplicate-parameter", `The parameter \`${name}\` is given twice; give it once.`);
      const rawValue = token.raw.slice(name.length + 1);
      // A quoted value is YAML's quoting (so "123" stays a string); otherwise the shell's unquoting applies.
      const source = /^["']/.test(rawValue) ? rawValue : token.text.slice(name.length + 1);
      const parsed = parseParameterValue(source);
      if ("error" in parsed) return fail("bad-parameter", `Parameter \`${name}\`: ${parsed.error}`);
      parameters.set(name, parsed.value);
      continue;
    }
    if (command.notebook !== undefined) {
      return unexpected(token, `Only one notebook can be trained per command, and \`${command.notebook}\` is already given.`);
    }
    const notebook = normaliseNotebookPath(token.text);
    if ("error" in notebook) return fail("bad-notebook", notebook.error);
    command.notebook = notebook.path;
  }

  if (seenFlags.has("spot") && seenFlags.has("on-demand")) {
    return fail("conflicting-flags", "`--spot` and `--on-demand` contradict each other; give one of them.");
  }
  command.parameters = Object.fromEntries(parameters);
  return { ok: true, command };
}

type FlagName = (typeof ALL_FLAGS)[number];

function parseFlag(tokens: Token[], at: number): { name: FlagName; value?: string; next: number } | CommandError {
  const token = tokens[at]!;
  if (token.raw === "-h") return { name: "help", next: at };
  if (!token.raw.startsWith("--") || token.raw === "--") {
    return new CommandError("unknown-flag", `\`${excerpt(token.text)}\` is not a flag; flags are written \`--name\`.`);
  }
  const eq = token.text.indexOf("=");
  const name = (eq < 0 ? token.text : token.text.slice(0, eq)).slice(2);
  if (!(ALL_FLAGS as readonly string[]).includes(name)) {
    const suggestion = closest(name, ALL_FLAGS);
    return new CommandError(
      "unknown-flag",
      `\`--${excerpt(name)}\` is not a /train flag.${suggestion ? ` Did you mean \`--${suggestion}\`?` : ""}`,
    );
  }
  const flag = name as FlagName;
  const takesValue = (VALUE_FLAGS as readonly string[]).includes(flag);
  if (!takesValue) {
    if (eq >= 0) return new CommandError("unexpected-value", `\`--${flag}\` takes no value; write just \`--${flag}\`.`);
    return { name: flag, next: at };
  }
  if (eq >= 0) return { name: flag, value: token.text.slice(eq + 1), next: at };
  const value = tokens[at + 1];
  if (value === undefined || value.raw.startsWith("--")) {
    return new CommandError("missing-value", `\`--${flag}\` needs a value, e.g. ${FLAG_EXAMPLES[flag as (typeof VALUE_FLAGS)[number]]}.`);
  }
  return { name: flag, value: value.text, next: at + 1 };
}

const FLAG_EXAMPLES: Record<(typeof VALUE_FLAGS)[number], string> = {
  gpu: "`--gpu a10g`",
  gpus: "`--gpus 2`",
  memory: "`--memory 16GiB`",
  timeout: "`--timeout 2h`",
};

function applyFlag(command: RunCommand, flag: FlagName, value: string | undefined): CommandError | undefined {
  const text = value ?? "";
  switch (flag) {
    case "gpu":
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(text)) {
        return new CommandError("bad-value", `\`--gpu ${excerpt(text)}\` is not a GPU type name; use one from the repository's config, e.g. \`--gpu a10g\`.`);
      }
      command.gpu = text;
      return undefined;
    case "gpus": {
      const gpus = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
      if (!(gpus >= 1)) return new CommandError("bad-value", `\`--gpus ${excerpt(text)}\` is not a positive whole number of GPUs, e.g. \`--gpus 2\`.`);
      command.gpus = gpus;
      return undefined;
    }
    case "memory": {
      const size = parseSize(text);
      if ("error" in size) return new CommandError("bad-value", `\`--memory\`: ${size.error}`);
      command.memoryMiB = size.mib;
      return undefined;
    }
    case "timeout": {
      const duration = parseDuration(text);
      if ("error" in duration) return new CommandError("bad-value", `\`--timeout\`: ${duration.error}`);
      command.timeoutSeconds = duration.seconds;
      return undefined;
    }
    case "spot":
    case "on-demand":
      command.spot = flag === "spot";
      return undefined;
    default:
      return undefined;
  }
}

function fail(code: ConstructorParameters<typeof CommandError>[0], message: string): CommandResult {
  return { ok: false, error: new CommandError(code, message) };
}

function unexpected(token: Token, why: string): CommandResult {
  return fail("unexpected-argument", `Unexpected \`${excerpt(token.text)}\`: ${why}`);
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 99;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
