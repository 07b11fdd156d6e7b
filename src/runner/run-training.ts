import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { injectParameters, type NotebookV4, type ParameterValue } from "../notebook/inject-parameters.js";
import { scopeStore } from "../storage/scoped-store.js";
import type { Store } from "../storage/store.js";
import { CheckpointSync, type SyncReport } from "./checkpoint-sync.js";
import { collectMetrics } from "./collect-metrics.js";
import { executeNotebook, type Execution } from "./execute-notebook.js";
import { findPython } from "./find-python.js";
import { hashFile } from "./hash-file.js";
import { installRequirements } from "./install-requirements.js";
import { prepareWorkingTree } from "./source/prepare-working-tree.js";
import { LiveProgressWriter } from "./live-progress.js";
import { loadNotebook, type LoadedNotebook } from "./load-notebook.js";
import { markFailedCell } from "./mark-failed-cell.js";
import { pythonDir } from "./package-root.js";
import type { ProgressReporter } from "./progress-reporter.js";
import { readStoreJson } from "./read-store-json.js";
import { restoreCheckpoints, type RestoredCheckpoints } from "./restore-checkpoints.js";
import { RUN_FILES, runLayout } from "../runs/run-layout.js";
import { RESULT_FORMAT, runResultSchema, type RunResult, type RunStatus } from "../runs/run-result.js";
import type { RunSpec } from "./run-spec.js";
import type { ShimFinished } from "./shim-event.js";

export interface RunDeps {
  /** The store the spec's URI opened (not yet scoped to the run). */
  store: Store;
  env: NodeJS.ProcessEnv;
  /** Folder relative notebook paths resolve against. */
  cwd: string;
  progress: ProgressReporter;
  /** Aborting stops the run as SIGTERM does: the kernel stops, checkpoints are synced, the result says interrupted. */
  signal?: AbortSignal;
  /** The interpreter to use; found with `findPython` when absent. */
  python?: string;
  /** The job's read-only GitHub token for a `github` source's first download; never passed to pip or the kernel. */
  githubToken?: string;
}

export interface RunOutcome {
  result: RunResult;
  /** Where things are, for the last line a CLI prints. */
  location: { store: string; output: string; checkpoints: string };
}

// The kernel runs the notebook's code; it gets no store or GitHub credential (ARCHITECTURE: Security).
const CREDENTIAL_ENV = /^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_CONTAINER_CREDENTIALS_.*|GOOGLE_APPLICATION_CREDENTIALS|NBTRAIN_(S3|DRIVE|GDRIVE|STORE)_.*|(NBTRAIN_)?GITHUB_TOKEN|GH_TOKEN|PRIVATE_KEY|WEBHOOK_SECRET|APP_ID)$/;
// The second look at a changed file comes this soon, not a whole sync interval later.
const CONFIRM_SECONDS = 0.25;
// A killed shim leaves the kernel running for at most this long before it is killed with the group.
const SHIM_STOP_SECONDS = 5;

function kernelEnv(base: NodeJS.ProcessEnv, extra: Record<string, string>, pythonPath: string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) if (!CREDENTIAL_ENV.test(name)) env[name] = value;
  // The debugger's frozen-modules warning on every kernel start says nothing useful here.
  env.PYDEVD_DISABLE_FILE_VALIDATION = "1";
  env.PYTHONUNBUFFERED = "1";
  env.PYTHONPATH = [...pythonPath, ...(base.PYTHONPATH ? [base.PYTHONPATH] : [])].join(path.delimiter);
  return { ...env, ...extra };
}

async function previousAttempt(store: Store): Promise<number> {
  // Only the attempt matters here; a result.json without a valid one counts as no earlier attempt.
  const previous = runResultSchema.pick({ attempt: true }).safeParse(await readStoreJson(store, RUN_FILES.result));
  return previous.success ? previous.data.attempt : 0;
}

async function putFile(store: Store, key: string, file: string): Promise<void> {
  const { sha256, size } = await hashFile(file);
  await store.put(key, createReadStream(file), { size, sha256 });
}

async function putJson(store: Store, key: string, value: unknown): Promise<void> {
  await store.put(key, Buffer.from(`${JSON.stringify(value, null, 2)}\n`), { contentType: "application/json" });
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(path.join(dir, entry.name), relative)));
    else if (entry.isFile()) out.push(relative);
  }
  return out;
}

function codeCells(notebook: NotebookV4): number {
  return notebook.cells.filter((cell) => cell.cell_type === "code").length;
}

/** 1-based position of cell `index` among the code cells of `notebook`, the injected cell left out. */
function codeOrdinal(notebook: NotebookV4, index: number, injectedIndex: number): number {
  let ordinal = 0;
  for (let i = 0; i <= index && i < notebook.cells.length; i++) {
    if (i !== injectedIndex && notebook.cells[i]!.cell_type === "code") ordinal++;
  }
  return ordinal;
}

/** What every phase of one run shares. */
interface RunContext {
  spec: RunSpec;
  deps: RunDeps;
  /** The store, scoped to the run. */
  store: Store;
  loaded: LoadedNotebook;
  python: string;
  attempt: number;
  startedAt: number;
  workDir: string;
  dirs: { checkpoints: string; outputs: string; kernel: string; packages: string };
  /** Collected into the result; each is also reported as it happens. */
  warnings: string[];
  warn: (message: string) => void;
  /** Mirrors the attempt's cell and metrics into the store for the run page and the check run. */
  live: LiveProgressWriter;
}

interface Restored {
  checkpoints: RestoredCheckpoints;
  resume: boolean;
}

interface Injected {
  notebook: NotebookV4;
  injectedIndex: number;
  input: string;
  output: string;
  /** The result as written when the run started; the final one builds on it. */
  baseResult: RunResult;
}

/** Where the kernel runs and what it imports from. */
interface KernelSetup {
  cwd: string;
  pythonPath: string[];
}

interface Executed {
  ended: Awaited<Execution["done"]>;
  stopReason: "interrupted" | "timeout" | null;
  stoppedAt: number;
  cellsExecuted: number;
  /** The periodic sync still under way when the kernel ended. */
  pendingSync: Promise<void>;
}

/**
 * Runs one training run end to end: restore, inject, execute, sync, publish. Input problems
 * throw `RunInputError` before anything is written to the store; a notebook that fails or is
 * stopped is an outcome (see `result.status`), not an exception.
 */
export async function runTraining(spec: RunSpec, runDeps: RunDeps): Promise<RunOutcome> {
  let deps = runDeps;
  const loaded = await loadNotebook(spec, deps.cwd);
  const python = deps.python ?? (await findPython(deps.env));
  const store = scopeStore(deps.store, runLayout.prefix({ owner: spec.owner, repo: spec.repo, runId: spec.run_id }));
  const startedAt = Date.now();
  const attempt = spec.attempt ?? (await previousAttempt(store)) + 1;
  const ownsWorkDir = spec.work_dir === undefined;
  const workDir = spec.work_dir ?? (await mkdtemp(path.join(tmpdir(), `nbtrain-${spec.run_id}-`)));
  const dirs = {
    checkpoints: path.join(workDir, "checkpoints"),
    outputs: path.join(workDir, "outputs"),
    kernel: path.join(workDir, "kernel"),
    packages: path.join(workDir, "site-packages"),
  };
  await rm(dirs.outputs, { recursive: true, force: true });
  for (const dir of [dirs.outputs, dirs.kernel]) await mkdir(dir, { recursive: true });
  // Every event also moves the live progress that the run page and the check run read from the store.
  const live = new LiveProgressWriter(store, path.join(dirs.outputs, "metrics.jsonl"), attempt);
  const reporter = runDeps.progress;
  deps = {
    ...runDeps,
    progress: {
      report: (event) => {
        live.observe(event);
        reporter.report(event);
      },
      close: () => reporter.close(),
    },
  };
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    deps.progress.report({ type: "warning", message });
  };
  const run: RunContext = { spec, deps, store, loaded, python, attempt, startedAt, workDir, dirs, warnings, warn, live };

  try {
    const restored = await restore(run);
    const injected = await inject(run, restored);
    try {
      const kernel = await prepareKernel(run);
      const sync = checkpointSync(run, restored);
      const executed = await execute(run, restored, injected, kernel, sync);
      await syncFinal(run, sync, executed);
      const result = await publish(run, injected, executed, sync);
      deps.progress.report({ type: "finished", status: result.status, seconds: result.duration_seconds ?? 0 });
      deps.progress.close();
      return {
        result,
        location: { store: store.uri, output: `${store.uri.replace(/\/+$/, "")}/${RUN_FILES.output}`, checkpoints: `${store.uri.replace(/\/+$/, "")}/${RUN_FILES.checkpoints}` },
      };
    } catch (error) {
      await recordRunnerFailure(run, injected.baseResult, error);
      throw error;
    }
  } finally {
    deps.progress.close();
    if (ownsWorkDir) await rm(workDir, { recursive: true, force: true });
  }
}

/** 1. Restore: only what the latest manifest lists, and the metrics that go with it. */
async function restore(run: RunContext): Promise<Restored> {
  const { store, dirs, deps } = run;
  const checkpoints = await restoreCheckpoints(store, dirs.checkpoints);
  const resume = checkpoints.manifest !== null && checkpoints.manifest.files.length > 0;
  if (checkpoints.manifest && (await store.head(RUN_FILES.metrics))) {
    await pipeline(await store.get(RUN_FILES.metrics), createWriteStream(path.join(dirs.outputs, "metrics.jsonl")));
  }
  deps.progress.report({ type: "restored", sequence: checkpoints.manifest?.sequence ?? null, files: checkpoints.manifest?.files.length ?? 0 });
  return { checkpoints, resume };
}

/** 2. Inject parameters, papermill style, and record the run as running in `result.json`. */
async function inject(run: RunContext, restored: Restored): Promise<Injected> {
  const { spec, dirs, workDir, loaded, store } = run;
  const { resume } = restored;
  const runtime: Record<string, ParameterValue> = {
    checkpoint_dir: dirs.checkpoints,
    output_dir: dirs.outputs,
    run_id: spec.run_id,
    resume,
  };
  const { notebook, injectedIndex } = injectParameters(loaded.notebook, { ...spec.parameters, ...runtime });
  const input = path.join(workDir, "input.ipynb");
  const output = path.join(workDir, "output.ipynb");
  await rm(output, { force: true });
  await writeFile(input, `${JSON.stringify(notebook, null, 1)}\n`);

  const baseResult: RunResult = {
    format: RESULT_FORMAT,
    run_id: spec.run_id,
    status: "running",
    attempt: run.attempt,
    started_at: new Date(run.startedAt).toISOString(),
    finished_at: null,
    duration_seconds: null,
    resumed: resume,
    restored_sequence: restored.checkpoints.manifest?.sequence ?? null,
    checkpoint_sequence: restored.checkpoints.manifest?.sequence ?? null,
    // The injected parameters cell is always a code cell, and not the user's.
    cells_total: codeCells(notebook) - 1,
    cells_executed: 0,
    metrics: {},
    metrics_points: 0,
    parameters: notebook.metadata.nbtrain && typeof notebook.metadata.nbtrain === "object" ? ((notebook.metadata.nbtrain as { parameters?: Record<string, unknown> }).parameters ?? {}) : {},
    python: run.python,
    failure: null,
    warnings: run.warnings,
  };
  await putJson(store, RUN_FILES.result, baseResult);
  return { notebook, injectedIndex, input, output, baseResult };
}

/** 3. The repository's tree at the commit (issue 8) and the notebook's requirements, into a folder of the run's own. */
async function prepareKernel(run: RunContext): Promise<KernelSetup> {
  const { spec, deps, store, workDir, python, warn, loaded, dirs } = run;
  // The kernel runs in the notebook's folder, the root on sys.path.
  const tree = spec.source
    ? await prepareWorkingTree(spec.source, {
        store, owner: spec.owner, repo: spec.repo, workDir, python, env: deps.env, warn, notebookDir: loaded.dir,
        installing: (file) => deps.progress.report({ type: "installing", file }),
        ...(deps.githubToken ? { token: deps.githubToken } : {}),
        ...(spec.pip_find_links ? { pipFindLinks: spec.pip_find_links } : {}),
        ...(deps.signal ? { signal: deps.signal } : {}),
      })
    : null;
  const pythonPath = [path.join(pythonDir(), "colab-shim"), ...(tree?.pythonPath ?? [])];
  const requirements = loaded.dir ? path.join(loaded.dir, "requirements.txt") : null;
  if (spec.install_requirements && requirements && existsSync(requirements)) {
    deps.progress.report({ type: "installing", file: requirements });
    await installRequirements({ python, requirements, target: dirs.packages, findLinks: spec.pip_find_links, env: deps.env });
    pythonPath.push(dirs.packages);
  }
  return { cwd: tree?.cwd ?? loaded.dir ?? workDir, pythonPath };
}

/** The checkpoint sync of this attempt, continuing the restored manifest's sequence. */
function checkpointSync(run: RunContext, restored: Restored): CheckpointSync {
  const { checkpoints } = restored;
  return new CheckpointSync({
    store: run.store,
    folder: run.dirs.checkpoints,
    runId: run.spec.run_id,
    attempt: run.attempt,
    base: checkpoints.manifest ? { sequence: checkpoints.manifest.sequence, restored: checkpoints.restored } : null,
    companions: [{ file: path.join(run.dirs.outputs, "metrics.jsonl"), key: RUN_FILES.metrics }],
    onError: (error) => run.warn(`checkpoint sync: ${error instanceof Error ? error.message : String(error)}`),
  });
}

/** One sync pass, reported when it stored a new version. */
async function syncPass(run: RunContext, sync: CheckpointSync, final: boolean): Promise<SyncReport> {
  const report = await sync.pass({ final });
  if (report.sequence !== null) {
    run.deps.progress.report({ type: "synced", sequence: report.sequence, files: sync.manifest?.files.length ?? 0, bytes: report.uploadedBytes });
  }
  return report;
}

/** 4. Execute, syncing checkpoints as they appear, until the notebook ends or is stopped (signal, timeout). */
async function execute(run: RunContext, restored: Restored, injected: Injected, kernel: KernelSetup, sync: CheckpointSync): Promise<Executed> {
  const { spec, deps, dirs, workDir, attempt } = run;
  const { resume } = restored;
  const { notebook, injectedIndex } = injected;
  let syncing: Promise<void> = Promise.resolve();
  let syncTimer: NodeJS.Timeout | undefined;
  let syncStopped = false;
  const scheduleSync = (seconds: number) => {
    syncTimer = setTimeout(() => {
      let next = spec.limits.sync_interval_seconds;
      syncing = syncPass(run, sync, false)
        .then((report) => {
          // A change was seen: confirm it soon, so a checkpoint is stored within a fraction of the interval.
          if (report.pending) next = Math.min(next, CONFIRM_SECONDS);
        })
        .catch((error: unknown) => run.warn(`checkpoint sync: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          if (!syncStopped) scheduleSync(next);
        });
    }, seconds * 1000);
  };

  let cellsExecuted = 0;
  let stopReason: "interrupted" | "timeout" | null = null;
  let stoppedAt = 0;
  const execution = executeNotebook({
    python: run.python,
    input: injected.input,
    output: injected.output,
    cwd: kernel.cwd,
    kernelDir: dirs.kernel,
    cellTimeoutSeconds: spec.limits.cell_timeout_seconds,
    env: kernelEnv(
      deps.env,
      {
        NBTRAIN_CHECKPOINT_DIR: dirs.checkpoints,
        NBTRAIN_OUTPUT_DIR: dirs.outputs,
        NBTRAIN_RUN_ID: spec.run_id,
        NBTRAIN_RESUME: resume ? "1" : "0",
        NBTRAIN_ATTEMPT: String(attempt),
        NBTRAIN_DRIVE_DIR: dirs.checkpoints,
        // Bytecode caches go to the scratch folder, not into nbtrain's install or the user's repo.
        PYTHONPYCACHEPREFIX: path.join(workDir, "pycache"),
      },
      kernel.pythonPath,
    ),
    onEvent: (event) => {
      // Progress counts what result.json counts: the notebook's own code cells, numbered among
      // themselves; the injected parameters cell is not reported.
      const cells = injected.baseResult.cells_total;
      if (event.type === "ready") deps.progress.report({ type: "started", cells, python: event.python, attempt, resume });
      else if (event.type === "kernel") deps.progress.report({ type: "kernel", pid: event.pid });
      else if (event.type === "cell_start" && event.index !== injectedIndex) {
        deps.progress.report({ type: "cell_start", cell: codeOrdinal(notebook, event.index, injectedIndex), cells });
      } else if (event.type === "cell_done" && event.index !== injectedIndex) {
        cellsExecuted++;
        deps.progress.report({ type: "cell_done", cell: codeOrdinal(notebook, event.index, injectedIndex), cells, status: event.status });
      }
    },
  });
  const stop = (reason: "interrupted" | "timeout", words: string) => {
    if (stopReason) return;
    stopReason = reason;
    stoppedAt = Date.now();
    deps.progress.report({ type: "stopping", reason: words });
    execution.stop();
  };
  const onAbort = () => stop("interrupted", "stop requested");
  if (deps.signal?.aborted) onAbort();
  deps.signal?.addEventListener("abort", onAbort, { once: true });
  const timeout = spec.limits.timeout_seconds
    ? setTimeout(() => stop("timeout", `the ${spec.limits.timeout_seconds} s timeout passed`), spec.limits.timeout_seconds * 1000)
    : undefined;
  scheduleSync(spec.limits.sync_interval_seconds);
  // Progress goes to the store on the sync interval too, whether or not a checkpoint was written.
  let flushing: Promise<void> = Promise.resolve();
  const flushLive = () => {
    flushing = flushing.then(() => run.live.flush()).catch((error: unknown) => run.warn(`live progress: ${error instanceof Error ? error.message : String(error)}`));
    return flushing;
  };
  const liveTimer = setInterval(() => void flushLive(), spec.limits.sync_interval_seconds * 1000);
  void flushLive();

  const shimKill = new Promise<null>((resolve) => {
    const check = setInterval(() => {
      if (stopReason && Date.now() - stoppedAt > SHIM_STOP_SECONDS * 1000) {
        clearInterval(check);
        execution.kill();
        resolve(null);
      }
    }, 250);
    void execution.done.catch(() => undefined).finally(() => {
      clearInterval(check);
      resolve(null);
    });
  });
  let ended: Awaited<typeof execution.done>;
  try {
    ended = await execution.done;
  } finally {
    await shimKill;
    clearTimeout(timeout);
    deps.signal?.removeEventListener("abort", onAbort);
    syncStopped = true;
    clearTimeout(syncTimer);
    clearInterval(liveTimer);
    await flushLive();
  }
  return { ended, stopReason, stoppedAt, cellsExecuted, pendingSync: syncing };
}

/** 5. Final sync: the kernel is gone, so every file counts as stable. Retried within the grace period while it warns. */
async function syncFinal(run: RunContext, sync: CheckpointSync, executed: Executed): Promise<void> {
  await executed.pendingSync;
  const graceEnd = (executed.stopReason ? executed.stoppedAt : Date.now()) + run.spec.limits.grace_seconds * 1000;
  for (let round = 0; ; round++) {
    const before = run.warnings.length;
    await syncPass(run, sync, true);
    if (run.warnings.length === before || Date.now() > graceEnd - 2_000 || round >= 4) break;
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** round));
  }
}

/** How the run ended, and where the notebook failed; a failing cell is numbered without the injected one. */
function outcomeOf(executed: Executed, injectedIndex: number): { status: RunStatus; failure: RunResult["failure"] } {
  const { ended, stopReason } = executed;
  const finished: ShimFinished | null = ended.finished;
  if (stopReason) return { status: stopReason === "timeout" ? "timed-out" : "interrupted", failure: null };
  if (finished?.status === "completed") return { status: "completed", failure: null };
  const error = finished?.error;
  if (error) {
    const index = error.index;
    return {
      status: "failed",
      failure: {
        cell_index: index === null || index === injectedIndex ? null : index > injectedIndex ? index - 1 : index,
        ename: error.ename,
        evalue: error.evalue,
      },
    };
  }
  const lastLine = ended.stderrTail.trim().split("\n").pop() ?? "";
  return { status: "failed", failure: { cell_index: null, ename: "RunnerError", evalue: `the notebook runner exited with code ${ended.exitCode}${lastLine ? `: ${lastLine}` : ""}` } };
}

/** 6. Publish: the executed notebook, the metrics, the output files and the final `result.json`. */
async function publish(run: RunContext, injected: Injected, executed: Executed, sync: CheckpointSync): Promise<RunResult> {
  const { store, dirs, warn } = run;
  const finished = executed.ended.finished;
  const { status, failure } = outcomeOf(executed, injected.injectedIndex);

  let notebook: NotebookV4 = injected.notebook;
  if (existsSync(injected.output)) notebook = JSON.parse(await readFile(injected.output, "utf8")) as NotebookV4;
  if (status === "failed" && finished?.error && finished.error.index !== null) notebook = markFailedCell(notebook, finished.error.index);
  await store.put(RUN_FILES.output, Buffer.from(`${JSON.stringify(notebook, null, 1)}\n`), { contentType: "application/x-ipynb+json" });

  const metrics = await collectMetrics(dirs.outputs);
  for (const problem of metrics.problems) warn(problem);
  if (metrics.series.length > 0) {
    await store.put(RUN_FILES.metrics, Buffer.from(metrics.series.map((point) => JSON.stringify(point)).join("\n") + "\n"), {
      contentType: "application/x-ndjson",
    });
  }
  for (const file of await listFiles(dirs.outputs)) {
    if (file === RUN_FILES.metrics) continue;
    try {
      await putFile(store, `outputs/${file}`, path.join(dirs.outputs, ...file.split("/")));
    } catch (error) {
      warn(`output ${file} not stored: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const finishedAt = Date.now();
  const result: RunResult = {
    ...injected.baseResult,
    status,
    finished_at: new Date(finishedAt).toISOString(),
    duration_seconds: (finishedAt - run.startedAt) / 1000,
    checkpoint_sequence: sync.latestSequence === 0 ? null : sync.latestSequence,
    cells_executed: executed.cellsExecuted,
    metrics: metrics.final,
    metrics_points: metrics.series.length,
    failure,
    warnings: run.warnings,
  };
  await putJson(store, RUN_FILES.result, result);
  return result;
}

/** result.json must not stay "running" when the runner itself fails (pip, the store, the shim). */
async function recordRunnerFailure(run: RunContext, baseResult: RunResult, error: unknown): Promise<void> {
  const failedAt = Date.now();
  await putJson(run.store, RUN_FILES.result, {
    ...baseResult,
    status: "failed",
    finished_at: new Date(failedAt).toISOString(),
    duration_seconds: (failedAt - run.startedAt) / 1000,
    failure: { cell_index: null, ename: error instanceof Error ? error.name : "Error", evalue: error instanceof Error ? error.message : String(error) },
    warnings: run.warnings,
  } satisfies RunResult).catch(() => undefined);
}
