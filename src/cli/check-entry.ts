import { createRequire } from "node:module";
import { fstatSync, statSync, writeSync } from "node:fs";
import { checkCommand } from "./check-command.js";
import type { CliIo } from "./cli-io.js";

/**
 * Writes straight to a file descriptor. Node builds process.stdout as a stream on first use, which
 * loads the stream modules and costs `nbtrain check` a third of its start-up time; a check prints
 * one report at the end and needs none of that. A pipe that will not take the bytes now (EAGAIN, a
 * non-blocking pipe) hands the rest to the stream, which waits for it.
 */
function fdWriter(fd: 1 | 2, stream: () => NodeJS.WriteStream): { write(text: string): boolean } {
  let fallback: NodeJS.WriteStream | undefined;
  return {
    write(text: string): boolean {
      if (fallback) return fallback.write(text);
      const bytes = Buffer.from(text, "utf8");
      let at = 0;
      while (at < bytes.length) {
        try {
          at += writeSync(fd, bytes, at, bytes.length - at);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
          fallback = stream();
          return fallback.write(bytes.subarray(at));
        }
      }
      return true;
    },
  };
}

const require = createRequire(import.meta.url);

/**
 * Whether fd 1 is a terminal. The tty module loads the network stack, so it is asked only about a
 * character device that is not /dev/null (where a hook or a benchmark often sends the output).
 */
function stdoutIsTerminal(): boolean {
  try {
    const out = fstatSync(1);
    if (!out.isCharacterDevice()) return false;
    const devNull = statSync("/dev/null");
    if (out.rdev === devNull.rdev) return false;
  } catch {
    return false;
  }
  // getBuiltinModule (Node >= 22.3) skips the ESM wrapper that import() would build around it.
  const tty = process.getBuiltinModule?.("node:tty") ?? require("node:tty");
  return tty.isatty(1);
}

/** `nbtrain check` as bin/nbtrain.js runs it: the bundled fast path, with the process's own I/O. */
export async function runCheck(args: string[]): Promise<number> {
  const stdout = Object.assign(fdWriter(1, () => process.stdout), { isTTY: stdoutIsTerminal() });
  const stderr = fdWriter(2, () => process.stderr);
  try {
    return await checkCommand(args, { stdout, stderr, cwd: process.cwd(), env: process.env } as unknown as CliIo);
  } catch (error) {
    // `nbtrain check | head` closes the pipe early; that is not an error worth a stack trace.
    if ((error as NodeJS.ErrnoException).code === "EPIPE") return process.exitCode === undefined ? 0 : Number(process.exitCode);
    throw error;
  }
}
