/**
 * Where a run lives in the store: the one statement of the layout the bot and the job share.
 * The bot and the job are separate programs that speak only through these keys, so each key is
 * named here once. The runner sees its run through a store scoped to `prefix(run)` and uses the
 * relative `files`; the bot uses `key(run, file)`.
 *
 * runs/<owner>/<repo>/<run-id>/
 *   request.json          what `/train` asked for (bot, before the check run)
 *   input.ipynb           the notebook at the PR head SHA (bot, before submit)
 *   source.tar.gz         the repository's tree at that SHA (job, first attempt)
 *   result.json           how the attempt went (job; the bot reports from it)
 *   metrics.jsonl         one metrics record per step or epoch (job)
 *   manifest.json         the checkpoint files a restore may use (job)
 *   checkpoints/<seq>/…   every checkpoint version, under its manifest's sequence (job)
 *   output.ipynb          the executed notebook (job)
 *   progress.json         where a running attempt is: its cell and newest metrics (job, every sync interval)
 *   metrics.live.jsonl    the running attempt's metrics so far, for the run page (job, every sync interval)
 *   logs/pip.log          pip's log when requirements failed (job)
 * index/active/<owner>/<repo>/<pr>/<run-id>   one empty object per unfinished run (bot)
 * index/pulls/<owner>/<repo>/<pr>/<run-id>    every run of a PR (bot)
 * index/deliveries/<owner>/<repo>/<delivery>  re-run clicks already acted on (bot)
 * baselines/<owner>/<repo>/<branch-hash>/<notebook-hash>.json   (old: any PR's last success; ignored, never written)
 * baselines/<owner>/<repo>/commits/<branch-hash>/<notebook-hash>/<sha>.json   a default-branch commit's baseline (bot, from a baseline run)
 * runs/<owner>/<repo>/<run-id>/comparison.json   the baseline a finished PR run was compared with, or why none (bot)
 */

/** The files of one run, relative to its prefix. */
export const RUN_FILES = {
  request: "request.json",
  input: "input.ipynb",
  source: "source.tar.gz",
  result: "result.json",
  metrics: "metrics.jsonl",
  manifest: "manifest.json",
  checkpoints: "checkpoints/",
  output: "output.ipynb",
  progress: "progress.json",
  comparison: "comparison.json",
  liveMetrics: "metrics.live.jsonl",
  pipLog: "logs/pip.log",
} as const;

export type RunFile = keyof typeof RUN_FILES;

/** A run as the store knows it: its repository and its id. */
export interface RunRef {
  owner: string;
  repo: string;
  runId: string;
}

export const runLayout = {
  files: RUN_FILES,

  /** `runs/<owner>/<repo>/<run-id>/`: everything of one run. */
  prefix(run: RunRef): string {
    return `runs/${run.owner}/${run.repo}/${run.runId}/`;
  },

  key(run: RunRef, file: RunFile): string {
    return `${runLayout.prefix(run)}${RUN_FILES[file]}`;
  },

  /** `checkpoints/<sequence>/`, relative to the run: one folder per manifest, so versions never overwrite each other. */
  checkpointVersion(sequence: number): string {
    return `${RUN_FILES.checkpoints}${String(sequence).padStart(6, "0")}/`;
  },

  /** The active-run index of a repository, or of one PR in it, or one run's entry. */
  active(owner: string, repo: string, pullNumber?: number, runId?: string): string {
    return indexKey("active", owner, repo, pullNumber, runId);
  },

  /** The index of every run of one PR, or one run's entry. */
  pullRuns(owner: string, repo: string, pullNumber: number, runId?: string): string {
    return indexKey("pulls", owner, repo, pullNumber, runId);
  },

  delivery(owner: string, repo: string, deliveryId: string): string {
    return `index/deliveries/${owner}/${repo}/${deliveryId}`;
  },

  /** Branch names and paths may hold any character: the caller hashes them to keep the key valid and short. */
  baseline(owner: string, repo: string, branchHash: string, notebookHash: string): string {
    return `baselines/${owner}/${repo}/${branchHash}/${notebookHash}.json`;
  },

  /** The baselines of one notebook on one branch, one object per commit (`<sha>.json`) under this prefix. */
  commitBaselines(owner: string, repo: string, branchHash: string, notebookHash: string): string {
    return `baselines/${owner}/${repo}/commits/${branchHash}/${notebookHash}/`;
  },
};

function indexKey(kind: "active" | "pulls", owner: string, repo: string, pullNumber?: number, runId?: string): string {
  const base = `index/${kind}/${owner}/${repo}/`;
  if (pullNumber === undefined) return base;
  return runId === undefined ? `${base}${pullNumber}/` : `${base}${pullNumber}/${runId}`;
}
