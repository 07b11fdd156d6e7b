// A process entry for signal tests: `nbtrain train` exactly as bin/nbtrain.js runs it, from source.
import { trainCommand } from "../../src/cli/train-command.js";

process.exitCode = await trainCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
});
