#!/usr/bin/env node
// No static imports: a pre-commit hook starts `nbtrain check` on every commit, so its start-up time
// is the command's cost. process.getBuiltinModule (Node >= 22.3) skips the ESM wrapper of a builtin.
const { createRequire, enableCompileCache, getCompileCacheDir } = process.getBuiltinModule?.("node:module") ?? (await import("node:module"));
const builtin = (name) => process.getBuiltinModule?.(name) ?? createRequire(import.meta.url)(name);

// Caches V8's compiled code between runs: compiling the check is most of what is left to start.
enableCompileCache?.();

if (process.argv[2] === "check") {
  // One bundled file (npm run build:cli): resolving and loading dozens of modules costs more than
  // checking a small notebook.
  const check = loadCheckBundle(getCompileCacheDir?.());
  process.exitCode = await check.exports.runCheck(process.argv.slice(3));
  check.saveCache();
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

/**
 * Loads dist/cli/check.cjs with a V8 code cache made after a run. Node's compile cache is made when
 * a module is compiled, before it runs, so it holds the bundle's top level only, and every function
 * a check calls was compiled again on each run. This cache holds those too. It lives in Node's
 * compile-cache folder (per Node version and user), named after the bundle's sha256
 * (dist/cli/check.cjs.sha256, written by the build), size and mtime, so it is never used with other
 * code; V8 itself rejects one made by another V8. Whatever goes wrong costs speed only: the bundle
 * is then required as usual, or runs uncached.
 */
function loadCheckBundle(cacheDir) {
  const require = createRequire(import.meta.url);
  const file = require.resolve("../dist/cli/check.cjs");
  const plain = () => ({ exports: require(file), saveCache() {} });
  if (!cacheDir) return plain();
  const fs = builtin("node:fs");
  const path = builtin("node:path");
  let source;
  let cacheFile;
  let cached;
  try {
    const id = fs.readFileSync(`${file}.sha256`, "utf8").trim();
    if (!/^[0-9a-f]{64}$/u.test(id)) return plain();
    const info = fs.statSync(file);
    source = fs.readFileSync(file, "utf8");
    cacheFile = path.join(cacheDir, `nbtrain-check-${id.slice(0, 32)}-${info.size}-${Math.trunc(info.mtimeMs)}.v8`);
    cached = readOwnFile(fs, cacheFile);
  } catch {
    return plain();
  }
  const vm = builtin("node:vm");
  // The wrapper CommonJS puts around a module, on the first line so that line numbers stay true.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData: cached });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return {
    exports: module.exports,
    saveCache() {
      if (cached && !script.cachedDataRejected) return;
      const temp = `${cacheFile}.${process.pid}.tmp`;
      try {
        // Written whole, then renamed: a check running at the same moment reads an old cache or this one.
        fs.writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(temp, cacheFile);
        // Another build's cache, left for a month, belongs to an nbtrain no longer run (another
        // project's nbtrain keeps its own: it is rewritten at most once a month if still used).
        const monthAgo = Date.now() - 30 * 24 * 3600 * 1000;
        for (const name of fs.readdirSync(cacheDir)) {
          if (!name.startsWith("nbtrain-check-") || !name.endsWith(".v8") || name === path.basename(cacheFile)) continue;
          const other = path.join(cacheDir, name);
          if (fs.statSync(other).mtimeMs < monthAgo) fs.rmSync(other, { force: true });
        }
      } catch {
        fs.rmSync(temp, { force: true });
      }
    },
  };
}

/** The file's bytes when this user owns it (code is never taken from a file someone else could write), else undefined. */
function readOwnFile(fs, file) {
  let fd;
  try {
    fd = fs.openSync(file, "r");
    const info = fs.fstatSync(fd);
    if (!info.isFile() || (process.getuid && info.uid !== process.getuid())) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}