import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { planNextSegment } from "../commands/plan-next-segment.js";
import { parseDuration } from "../commands/parse-duration.js";
import { parse as parseYaml } from "yaml";
import { isParameterName, type ParameterValue } from "../notebook/inject-parameters.js";
import { parseStoreUri, redactUri } from "../storage/parse-store-uri.js";
import { DEFAULT_STORE_URI, openStore } from "../storage/open-store.js";
import { PythonNotFoundError } from "../runner/find-python.js";
import { loadNotebook } from "../runner/load-notebook.js";
import { createProgressReporter } from "../runner/progress-reporter.js";
import { RunInputError } from "../runner/run-input-error.js";
import { findCheckoutRoot } from "../runner/source/find-checkout-root.js";
import { RESERVED_PARAMETERS, RUN_ID_PATTERN, runSpecSchema, type RunSpec } from "../runner/run-spec.js";
import { runTraining } from "../runner/run-training.js";
import { formatRunSummary } from "./format-run-summary.js";
import type { CliIo } from "./cli-io.js";

const USAGE = `Usage: nbtrain train NOTEBOOK [options]

Runs NOTEBOOK as a resumable training run on a local Jupyter kernel.

Options:
  -p, --parameter NAME=VALUE  set a parameter; VALUE is a YAML scalar (lr=0.01 is a number,
                              name=abc a string, flag=true a boolean); repeatable
  --params-file FILE.yaml     parameters from a YAML mapping (-p wins over the file)
  --store URI                 where runs are kept: file://PATH (default ${DEFAULT_STORE_URI}),
                              s3://BUCKET/PREFIX or gdrive://MyDrive/FOLDER
  --run ID                    run id; running again with the same id resumes from its checkpoints
  --timeout DURATION          stop after DURATION (90s, 20m, 2h, 1h30m, 1d), keeping checkpoints;
                              with --budget, the limit of each segment
  --budget DURATION           keep going across segments: when a segment hits --timeout, start
                              the next one from the latest checkpoint, until the notebook
                              completes, DURATION is spent or a segment saves no new checkpoint
  --from SOURCE               start the run's checkpoint_dir as a copy of SOURCE: a local folder,
                              a store URI (s3://…, gdrive://MyDrive/…) or run:ID (another run in
                              --store); it is only read, and used only while the run has no
                              checkpoint of its own
  --install-requirements      pip install requirements.txt next to the notebook first (into the
                              run's own folder; the system Python is not modified)
  --find-links DIR            install offline from DIR (pip --no-index --find-links DIR)
  -h, --help                  show this help

On SIGTERM or Ctrl-C the running cell gets a KeyboardInterrupt and NBTRAIN_STOP_GRACE seconds
(default 10) to save its checkpoint before the kernel is killed; then checkpoints are synced.

Exit codes: 0 completed, 1 the notebook failed or timed out (or the budget ran out), 2 bad usage
or an invalid notebook, 130 stopped with Ctrl-C, 143 stopped with SIGTERM.
`;

class UsageError extends Error {}

/** `--timeout`, in the one duration grammar that `/train timeout=` uses too. */
function parseTimeout(text: string): number {
  const parsed = parseDuration(text);
  if ("error" in parsed) throw new UsageError(`--timeout: ${parsed.error}`);
  return parsed.seconds;
}

/** `--budget`, in the same grammar. */
function parseBudget(text: string): number {
  const parsed = parseDuration(text);
  if ("error" in parsed) throw new UsageError(`--budget: ${parsed.error}`);
  return parsed.seconds;
}

function toParameterValue(value: unknown, where: string): ParameterValue {
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
  if (Array.isArray(value)) return value.map((item) => toParameterValue(item, where));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toParameterValue(item, where)]));
  }
  throw new UsageError(`${where}: the value is not plain data (a ${typeof value}).`);
}

function checkName(name: string, where: string): void {
  if (!isParameterName(name)) throw new UsageError(`${where}: ${JSON.stringify(name)} is not a Python identifier; use letters, digits and _.`);
  if ((RESERVED_PARAMETERS as readonly string[]).includes(name)) {
    throw new UsageError(`${where}: ${name} is set by nbtrain for every run (${RESERVED_PARAMETERS.join(", ")}); choose another name.`);
  }
}

/** `-p name=value`: the value is read as a YAML scalar, as papermill's -y reads values. */
function parseParameter(text: string): [string, ParameterValue] {
  const at = text.indexOf("=");
  if (at <= 0) throw new UsageError(`-p ${JSON.stringify(text)} is not NAME=VALUE.`);
  const name = text.slice(0, at).trim();
  checkName(name, `-p ${name}`);
  let value: unknown;
  try {
    value = parseYaml(text.slice(at + 1), { schema: "core", strict: true, uniqueKeys: true });
  } catch (error) {
    throw new UsageError(`-p ${name}: the value cannot be parsed as YAML (${(error as Error).message.split("\n")[0]}). Quote strings that contain YAML syntax, e.g. -p ${name}='"a: b"'.`);
  }
  // An empty value is YAML null; papermill passes an empty string, which is what someone typing name= means.
  return [name, value === null && text.slice(at + 1).trim() === "" ? "" : toParameterValue(value, `-p ${name}`)];
}

async function readParamsFile(file: string, cwd: string): Promise<Record<string, ParameterValue>> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`--params-file ${file}: cannot read it (${(error as { code?: string }).code ?? (error as Error).message}).`);
  }
  let data: unknown;
  try {
    data = parseYaml(text, { schema: "core", uniqueKeys: true });
  } catch (error) {
    throw new UsageError(`--params-file ${file} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data)) throw new UsageError(`--params-file ${file} must hold a mapping of parameter names to values.`);
  const out: Record<string, ParameterValue> = {};
  for (const [name, value] of Object.entries(data)) {
    checkName(name, `--params-file ${file}`);
    out[name] = toParameterValue(value, `--params-file ${file}: ${name}`);
  }
  return out;
}

interface TrainArgs {
  notebook: string;
  parameters: string[];
  paramsFile?: string;
  store: string;
  run?: string;
  timeout?: number;
  budget?: number;
  from?: string;
  installRequirements: boolean;
  findLinks?: string;
  help: boolean;
}

function parseArgs(args: string[]): TrainArgs {
  const parsed: TrainArgs = { notebook: "", parameters: [], store: DEFAULT_STORE_URI, installRequirements: false, help: false };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = args[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value.`);
      return next;
    };
    switch (flag) {
      case "-h":
      case "--help":
        parsed.help = true;
        break;
      case "-p":
      case "--parameter":
        parsed.parameters.push(value());
        break;
      case "--params-file":
        parsed.paramsFile = value();
        break;
      case "--store":
        parsed.store = value();
        break;
      case "--run":
        parsed.run = value();
        break;
      case "--timeout":
        parsed.timeout = parseTimeout(value());
        break;
      case "--budget":
        parsed.budget = parseBudget(value());
        break;
      case "--from":
        parsed.from = value();
        break;
      case "--install-requirements":
        parsed.installRequirements = true;
        break;
      case "--find-links":
        parsed.findLinks = value();
        break;
      default:
        if (arg.startsWith("-") && arg !== "-") throw new UsageError(`Unknown option ${arg}.`);
        positional.push(arg);
    }
  }
  if (parsed.help) return parsed;
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? "Name the notebook to train." : `Train one notebook at a time (got ${positional.length}).`);
  parsed.notebook = positional[0]!;
  return parsed;
}

function slug(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 100);
  return cleaned === "" ? "notebooks" : cleaned;
}

function defaultRunId(notebook: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
  return `${slug(path.basename(notebook, ".ipynb")).slice(0, 80)}-${stamp}`;
}

/**
 * `nbtrain train`: runs a notebook locally as a resumable run. Returns the exit code: 0 completed,
 * 1 failed or timed out, 2 bad usage or invalid notebook (nothing is written to the store), 130
 * after Ctrl-C and 143 after SIGTERM (both sync checkpoints first).
 */
export async function trainCommand(args: string[], io: CliIo): Promise<number> {
  let spec: RunSpec;
  let budget: number | undefined;
  try {
    const parsed = parseArgs(args);
    if (parsed.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    const parameters = parsed.paramsFile ? await readParamsFile(parsed.paramsFile, io.cwd) : {};
    for (const text of parsed.parameters) {
      const [name, value] = parseParameter(text);
      parameters[name] = value;
    }
    if (parsed.run !== undefined && !RUN_ID_PATTERN.test(parsed.run)) {
      throw new UsageError(`--run ${JSON.stringify(parsed.run)} is not a run id: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit.`);
    }
    try {
      parseStoreUri(parsed.store);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (parsed.budget !== undefined && parsed.timeout !== undefined && parsed.timeout > parsed.budget) {
      throw new UsageError(`--timeout (${parsed.timeout} s) is longer than --budget (${parsed.budget} s): one segment could never be continued; shorten --timeout or raise --budget.`);
    }
    const from = parsed.from === undefined ? undefined : await resolveFrom(parsed.from, io.cwd);
    const segmentTimeout = parsed.timeout ?? parsed.budget;
    const checked = runSpecSchema.safeParse({
      notebook: { path: parsed.notebook },
      parameters,
      store: parsed.store,
      // A local run has no GitHub repository; it is filed under local/<working folder>.
      owner: "local",
      repo: slug(path.basename(io.cwd)),
      run_id: parsed.run ?? defaultRunId(parsed.notebook, new Date()),
      limits: { ...(segmentTimeout ? { timeout_seconds: segmentTimeout } : {}) },
      ...(from ? { from } : {}),
      install_requirements: parsed.installRequirements,
      ...(parsed.findLinks ? { pip_find_links: path.resolve(io.cwd, parsed.findLinks) } : {}),
      // In a checkout, the checkout as it is: its root on sys.path, as a /train job has (no token, no archive).
      ...checkoutSource(path.dirname(path.resolve(io.cwd, parsed.notebook))),
    });
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw new UsageError(`${issue.path.join(".") || "arguments"}: ${issue.message}`);
    }
    spec = checked.data;
    budget = parsed.budget;
    // Refuse a bad notebook before the store is even opened.
    await loadNotebook(spec, io.cwd);
  } catch (error) {
    if (error instanceof UsageError || error instanceof RunInputError) {
      io.stderr.write(`nbtrain train: ${error.message}\n`);
      if (error instanceof UsageError) io.stderr.write(`Run "nbtrain train --help" for usage.\n`);
      return 2;
    }
    throw error;
  }

  let store;
  try {
    store = await openStore(spec.store, { baseDir: io.cwd, env: io.env });
  } catch (error) {
    const missing = missingSdk(error);
    if (!missing) throw error;
    // The App's SDKs are optional peer dependencies: a command-line install does not have them.
    io.stderr.write(`nbtrain train: ${redactUri(spec.store)} needs ${missing.join(" and ")}, which are not installed; run: npm install ${missing.join(" ")}\n`);
    return 2;
  }
  const controller = new AbortController();
  let stoppedBy: "SIGINT" | "SIGTERM" | null = null;
  const onSignal = (signal: "SIGINT" | "SIGTERM") => {
    if (stoppedBy) {
      io.stderr.write("nbtrain train: stopping already; waiting for the checkpoint sync to finish.\n");
      return;
    }
    stoppedBy = signal;
    controller.abort();
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  const progressStream = io.stderr as CliIo["stderr"] & { isTTY?: boolean };
  try {
    const chainStarted = Date.now();
    let outcome: Awaited<ReturnType<typeof runTraining>>;
    for (let segment = 1; ; segment++) {
      outcome = await runTraining(spec, {
        store,
        env: io.env,
        cwd: io.cwd,
        progress: createProgressReporter(progressStream, Date.now, io.env),
        signal: controller.signal,
      });
      if (budget === undefined || controller.signal.aborted) break;
      const { result } = outcome;
      const next = planNextSegment(
        { status: result.status, restoredSequence: result.restored_sequence, checkpointSequence: result.checkpoint_sequence },
        { budgetSeconds: budget, usedSeconds: (Date.now() - chainStarted) / 1000, ...(spec.limits.timeout_seconds ? { segmentTimeoutSeconds: spec.limits.timeout_seconds } : {}) },
      );
      const saved = result.checkpoint_sequence === null ? "no checkpoint" : `checkpoint #${result.checkpoint_sequence}`;
      if (next.kind === "stop") {
        if (next.reason !== "completed") io.stderr.write(`nbtrain train: segment ${segment} ended ${result.status} at ${saved}; not continuing: ${next.message}.\n`);
        break;
      }
      io.stderr.write(`nbtrain train: segment ${segment} timed out at ${saved}; segment ${segment + 1} continues from it (limit ${next.timeoutSeconds.toFixed(0)} s).\n`);
      spec = { ...spec, attempt: undefined, limits: { ...spec.limits, timeout_seconds: next.timeoutSeconds } };
    }
    const { result, location } = outcome;
    if (result.failure) {
      const where = result.failure.cell_index === null ? "" : ` in cell ${result.failure.cell_index}`;
      io.stderr.write(`nbtrain train: the notebook failed${where}: ${result.failure.ename}: ${result.failure.evalue}\n`);
    }
    const resume = result.status === "completed" ? null : `nbtrain train ${spec.notebook && "path" in spec.notebook ? spec.notebook.path : ""} --run ${spec.run_id}${spec.store === DEFAULT_STORE_URI ? "" : ` --store ${redactUri(spec.store)}`}`;
    io.stdout.write(formatRunSummary({ runId: spec.run_id, result, location, resume, color: useColor(io) }));
    if (result.status === "completed") return 0;
    if (result.status === "interrupted") return stoppedBy === "SIGTERM" ? 143 : 130;
    return 1;
  } catch (error) {
    if (error instanceof RunInputError) {
      io.stderr.write(`nbtrain train: ${error.message}\n`);
      return 2;
    }
    if (error instanceof PythonNotFoundError) {
      io.stderr.write(`nbtrain train: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(`nbtrain train: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}

/**
 * `--from`: run:ID and store URIs pass as they are (the spec refuses `..` in them); anything else
 * is a local folder, which must exist.
 */
async function resolveFrom(text: string, cwd: string): Promise<string> {
  if (text.startsWith("run:") || /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (!text.startsWith("run:")) {
      try {
        parseStoreUri(text);
      } catch (error) {
        throw new UsageError(`--from: ${(error as Error).message}`);
      }
    }
    return text;
  }
  const folder = path.resolve(cwd, text);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) {
    throw new UsageError(`--from ${JSON.stringify(text)} is not a folder; name the folder your checkpoints are in, a store URI (s3://…, gdrive://MyDrive/…) or run:ID for another run.`);
  }
  return pathToFileURL(folder).href;
}

function checkoutSource(notebookDir: string): { source?: { kind: "checkout"; root: string } } {
  const root = findCheckoutRoot(notebookDir);
  return root ? { source: { kind: "checkout", root } } : {};
}

/** Color only for a person at a terminal that can show it: not when piped, not with NO_COLOR or TERM=dumb. */
function useColor(io: CliIo): boolean {
  return io.stdout.isTTY === true && !io.env["NO_COLOR"] && io.env["TERM"] !== "dumb";
}

/** The SDK packages a store needs when loading it failed because one is not installed. */
function missingSdk(error: unknown): string[] | null {
  const { code, message } = error as { code?: string; message?: string };
  if (code !== "ERR_MODULE_NOT_FOUND" || typeof message !== "string") return null;
  if (message.includes("@aws-sdk/")) return ["@aws-sdk/client-s3", "@aws-sdk/lib-storage"];
  if (message.includes("@googleapis/drive")) return ["@googleapis/drive"];
  return null;
}
