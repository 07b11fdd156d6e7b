// Synchronous file access on purpose: node:fs/promises alone costs more start-up time than checking
// a small notebook, and the command reads one file at a time anyway.
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_INCLUDE, DEFAULT_LIMITS } from "../config/default-limits.js";
import type { ConfigResult } from "../config/load-repo-config.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { NotebookReport, Severity } from "../notebook/finding.js";
import { checkNotebook } from "../notebook/check-notebook.js";
import { describeFsError } from "./describe-fs-error.js";
import { findNotebooks } from "./find-notebooks.js";
import { formatJson } from "./formats/format-json.js";
import { formatSarif } from "./formats/format-sarif.js";
import { formatText } from "./formats/format-text.js";
import { packageVersion } from "./package-version.js";
import type { CliIo } from "./cli-io.js";

const FORMATS = ["text", "json", "sarif"] as const;
type Format = (typeof FORMATS)[number];

/** The config the App reads too, looked up in the current directory when --config is not given. */
const DEFAULT_CONFIG = ".github/nbtrain.yml";

/**
 * V8 cannot hold a string longer than about 2^29 characters, so a larger file cannot be decoded at all;
 * refusing it up front gives a clear finding instead of an out-of-memory crash.
 */
export const MAX_NOTEBOOK_BYTES = 512 * 1024 * 1024;

const USAGE = `Usage: nbtrain check [PATH ...] [--format text|json|sarif] [--config FILE]

Validates notebooks against the nbformat schema and lints them.

  PATH               a notebook, a directory (searched for *.ipynb) or a glob;
                     the current directory when none is given
  -f, --format FMT   text (default), json or sarif
  -c, --config FILE  config file; default: ${DEFAULT_CONFIG} if it exists
  -h, --help         show this help

Exit codes: 0 no error findings, 1 error findings, 2 usage or config error.
`;

/** What `checkCommand` does I/O through; tests pass their own to stage races (a file deleted after discovery). */
export interface CheckDependencies {
  findNotebooks: typeof findNotebooks;
  readNotebookFile: (absolute: string) => Promise<ReadOutcome>;
}

const defaultDependencies: CheckDependencies = { findNotebooks, readNotebookFile };

/** `nbtrain check`: returns 0 when no finding is at error severity, 1 when one is, 2 on a usage or config error. */
export async function checkCommand(args: string[], io: CliIo, deps: CheckDependencies = defaultDependencies): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: "string", short: "f" },
        config: { type: "string", short: "c" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const format = values.format ?? "text";
  if (!isFormat(format)) return usageError(io, `unknown format "${format}"; use one of ${FORMATS.join(", ")}`);

  const config = await readConfig(values.config, io.cwd);
  if (!config.ok) {
    io.stderr.write(`nbtrain: ${config.message}\n`);
    return 2;
  }

  const found = await deps.findNotebooks(positionals, { cwd: io.cwd, include: config.config.include, exclude: config.config.exclude });
  for (const pattern of found.unmatched) io.stderr.write(`nbtrain: no files match "${pattern}"\n`);

  const readErrorSeverity = config.config.rules["read-error"] ?? "error";
  const reports: NotebookReport[] = [];
  // One file at a time: memory stays bounded by the largest notebook, not the sum.
  for (const file of found.files) {
    const read = file.error === undefined ? await deps.readNotebookFile(file.absolute) : ({ ok: false, message: file.error } as const);
    if (!read.ok) {
      reports.push(unreadable(file.path, read.message, readErrorSeverity));
      continue;
    }
    reports.push(checkSafely(file.path, read.bytes, config.config, readErrorSeverity, io));
  }

  io.stdout.write(render(format, reports, io));
  return reports.some((report) => report.findings.some((finding) => finding.severity === "error")) ? 1 : 0;
}

function render(format: Format, reports: NotebookReport[], io: CliIo): string {
  switch (format) {
    case "json":
      return formatJson(reports);
    case "sarif":
      return formatSarif(reports, { cwd: io.cwd, toolVersion: packageVersion() });
    case "text":
      return formatText(reports, { color: io.stdout.isTTY === true && !io.env["NO_COLOR"] });
  }
}

/** What a check uses when there is no config file: built without the YAML and zod modules. */
const DEFAULT_CONFIG_RESULT: ConfigResult = {
  ok: true,
  config: { include: [...DEFAULT_INCLUDE], exclude: [], rules: {}, limits: { ...DEFAULT_LIMITS } },
};

async function readConfig(given: string | undefined, cwd: string): Promise<ConfigResult> {
  const file = path.resolve(cwd, given ?? DEFAULT_CONFIG);
  const shown = given ?? DEFAULT_CONFIG;
  let text: string;
  let loader: typeof import("../config/load-repo-config.js");
  try {
    // Checked before reading so that a huge (or endless, like /dev/zero) file is never loaded.
    const info = statSync(file);
    if (!info.isFile()) return { ok: false, message: `${shown}: not a regular file; the config must be a YAML file` };
    // YAML and zod cost more start-up time than checking a small notebook; only a config needs them.
    loader = await import("../config/load-repo-config.js");
    const { MAX_CONFIG_BYTES } = loader;
    if (info.size > MAX_CONFIG_BYTES) {
      return { ok: false, message: `${shown}: ${info.size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit for a config; a config needs only a few lines` };
    }
    const bytes = readBounded(file, MAX_CONFIG_BYTES);
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No config file is the normal case: the defaults apply.
    if (given === undefined && code === "ENOENT") return DEFAULT_CONFIG_RESULT;
    if (code === "ENOENT") return { ok: false, message: `${shown}: config file not found; check the --config path` };
    if (error instanceof TypeError) return { ok: false, message: `${shown}: not valid UTF-8; save the config as UTF-8 text` };
    return { ok: false, message: `${shown}: cannot read the config: ${describeFsError(error)}` };
  }
  const result = loader.loadRepoConfigText(text);
  return result.ok ? result : { ok: false, message: `${shown}: ${result.message}` };
}

export type ReadOutcome = { ok: true; bytes: Uint8Array } | { ok: false; message: string };

/**
 * Reads a whole file through one handle, so a file swapped between the checks and the read cannot
 * slip through. O_NONBLOCK keeps a FIFO named `*.ipynb` from hanging the command.
 */
export async function readNotebookFile(absolute: string): Promise<ReadOutcome> {
  let fd: number | undefined;
  try {
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = fstatSync(fd);
    if (info.isDirectory()) return { ok: false, message: `cannot read: ${describeFsError({ code: "EISDIR" })}` };
    if (!info.isFile()) return { ok: false, message: "cannot read: not a regular file (a device, FIFO or socket); name a notebook file" };
    if (info.size > MAX_NOTEBOOK_BYTES) {
      return { ok: false, message: `cannot check: the file is ${info.size} bytes, over the ${MAX_NOTEBOOK_BYTES}-byte limit; clear its outputs to shrink it` };
    }
    return { ok: true, bytes: readFileSync(fd) };
  } catch (error) {
    return { ok: false, message: `cannot read: ${describeFsError(error)}` };
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // nothing was written through it; a failed close loses nothing
      }
    }
  }
}

function readBounded(file: string, limit: number): Uint8Array {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buffer = Buffer.alloc(limit + 1);
    let bytesRead = 0;
    for (let n = -1; n !== 0 && bytesRead <= limit; bytesRead += n) n = readSync(fd, buffer, bytesRead, limit + 1 - bytesRead, bytesRead);
    if (bytesRead > limit) throw Object.assign(new Error(`the config grew past ${limit} bytes while being read`), { code: "EFBIG" });
    return buffer.subarray(0, bytesRead);
  } finally {
    closeSync(fd);
  }
}

function checkSafely(shownPath: string, bytes: Uint8Array, config: RepoConfig, severity: Severity | "off", io: CliIo): NotebookReport {
  try {
    return checkNotebook(shownPath, bytes, { rules: config.rules, limits: config.limits });
  } catch (error) {
    // checkNotebook promises never to throw; if it does, that is a bug, but the other files still get checked.
    const reason = error instanceof Error ? error.message : String(error);
    io.stderr.write(`nbtrain: internal error while checking ${shownPath}: ${reason}\n`);
    return unreadable(shownPath, `nbtrain failed on this file (${reason}); please report it as a bug`, severity);
  }
}

function unreadable(shownPath: string, message: string, severity: Severity | "off"): NotebookReport {
  return {
    path: shownPath,
    valid: false,
    nbformat: null,
    findings: severity === "off" ? [] : [{ rule: "read-error", severity, message }],
  };
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`nbtrain check: ${message}\n\n${USAGE}`);
  return 2;
}

function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}
