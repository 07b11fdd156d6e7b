import type { CliIo } from "./cli-io.js";

type Command = (args: string[], io: CliIo) => Promise<number>;

// Each subcommand loads lazily so that `nbtrain check` never pays for the AWS or Drive SDKs.
const commands: Record<string, () => Promise<Command>> = {
  check: async () => (await import("./check-command.js")).checkCommand,
  train: async () => (await import("./train-command.js")).trainCommand,
  strip: async () => (await import("./strip-command.js")).stripCommand,
};

const USAGE = `Usage: nbtrain <command> [options]

Commands:
  check [PATH ...]   validate and lint notebooks
  train NOTEBOOK     run a notebook as a resumable training run
  strip PATH ...     clear outputs and execution counts, as nbformat writes them

Options:
  -V, --version      print nbtrain's version

Run "nbtrain <command> --help" for a command's options.
`;

/** Runs the CLI and returns the process exit code: 0 ok, 1 findings or failure, 2 usage error. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout).write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    io.stdout.write(`${(await import("./package-version.js")).packageVersion()}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    io.stderr.write(`nbtrain: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return (await load())(rest, io);
}
