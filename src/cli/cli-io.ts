import type { Writable } from "node:stream";

/** What a CLI command may touch of its process: output streams, working directory and environment. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  cwd: string;
  env: NodeJS.ProcessEnv;
}
