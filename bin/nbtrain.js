#!/usr/bin/env node
// No static imports: a pre-commit hook starts `nbtrain check` on every commit, so its start-up time
// is the command's cost. process.getBuiltinModule (Node >= 22.3) skips the ESM wrapper of a builtin.
const { createRequire, enableCompileCache } = process.getBuiltinModule?.("node:module") ?? (await import("node:module"));

// Caches V8's compiled code between runs: compiling the check is most of what is left to start.
enableCompileCache?.();

if (process.argv[2] === "check") {
  // One bundled file (npm run build:cli): resolving and loading dozens of modules costs more than
  // checking a small notebook.
  const { runCheck } = createRequire(import.meta.url)("../dist/cli/check.cjs");
  process.exitCode = await runCheck(process.argv.slice(3));
} else {
  // `nbtrain train | head` closes the pipe early; that is not an error worth a stack trace.
  process.stdout.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  const { main } = await import("../dist/src/cli/main.js");
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
  });
}
