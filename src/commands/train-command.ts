/** A parameter value as a YAML scalar resolves to it; all of them are JSON. */
export type ParameterValue = string | number | boolean | null;

/** `/train [NOTEBOOK] [name=value ...] [--gpu TYPE] [--gpus N] [--memory SIZE] [--timeout DURATION] [--spot|--on-demand]` */
export interface RunCommand {
  kind: "run";
  /** Repository-relative, normalised `.ipynb` path; absent when the PR's only changed notebook is meant. */
  notebook?: string;
  /** In the order written. Names are Python identifiers, each at most once. */
  parameters: Record<string, ParameterValue>;
  /** Only what the commenter wrote; `checkTrainLimits` fills the rest from the repo config. */
  gpu?: string;
  gpus?: number;
  memoryMiB?: number;
  timeoutSeconds?: number;
  spot?: boolean;
}

/** `/train cancel [RUN]`: without RUN, the caller cancels the PR's active runs. */
export interface CancelCommand {
  kind: "cancel";
  runId?: string;
}

/** `/train baseline [NOTEBOOK]`: a maintainer trains the baseline at the PR's merge base. */
export interface BaselineCommand {
  kind: "baseline";
  notebook?: string;
}

export interface StatusCommand {
  kind: "status";
}

/** `/train approve`: a maintainer approves a fork's current head commit for training. */
export interface ApproveCommand {
  kind: "approve";
}

export interface HelpCommand {
  kind: "help";
}

export type TrainCommand = RunCommand | CancelCommand | StatusCommand | ApproveCommand | HelpCommand | BaselineCommand;

export type CommandErrorCode =
  | "too-long"
  | "unterminated-quote"
  | "unknown-flag"
  | "missing-value"
  | "unexpected-value"
  | "bad-value"
  | "duplicate-flag"
  | "conflicting-flags"
  | "bad-notebook"
  | "bad-parameter"
  | "duplicate-parameter"
  | "unexpected-argument"
  | "bad-run-id"
  | "no-notebook"
  | "ambiguous-notebook";

/**
 * A command the commenter got wrong. The message says what is wrong and how to write it; the
 * caller replies with it followed by `TRAIN_HELP`.
 */
export class CommandError extends Error {
  readonly code: CommandErrorCode;

  constructor(code: CommandErrorCode, message: string) {
    super(message);
    this.name = "CommandError";
    this.code = code;
  }
}

/** Parsing never throws: it returns one of these. */
export type CommandResult<T = TrainCommand> = { ok: true; command: T } | { ok: false; error: CommandError };
