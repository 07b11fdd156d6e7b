import type { JobResources } from "../commands/job-resources.js";
import type { ParameterValue } from "../commands/train-command.js";

/** Everything a backend needs to run one `/train` and everything a state event needs to be reported. */
export interface TrainJob {
  /** From `deriveRunId`: lower-case letters, digits and `-`. */
  runId: string;
  repo: { owner: string; name: string };
  pullNumber: number;
  /** The PR head SHA at the time of the command; the job trains exactly this commit. */
  headSha: string;
  checkRunId: number;
  installationId: number;
  /** Repository-relative `.ipynb` path. */
  notebook: string;
  /** Injected into the notebook's parameters cell; travels as JSON, never through a shell. */
  parameters: Record<string, ParameterValue>;
  resources: JobResources;
  /** Where the runner reads and writes the run's artifacts; never holds credentials. */
  storeUri: string;
  /** The repository's settings for the job's source tree (`train.requirements`, `train.lfs`); left out: off and false. */
  source?: JobSourceSettings;
  /** Where the run's checkpoint_dir starts while it has none of its own: `run:<id>` or an s3:// / gdrive:// folder. */
  from?: string;
}

/** How the runner prepares the repository's tree, from `.github/nbtrain.yml`. */
export interface JobSourceSettings {
  /** Which `requirements.txt` is installed: none, the one beside the notebook, or the root's. */
  requirements: "off" | "notebook" | "root";
  /** Fetch Git LFS content instead of reporting the pointers. */
  lfs: boolean;
}

export type JobStatus = "queued" | "starting" | "running" | "succeeded" | "failed" | "cancelled";

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "cancelled"]);

/** Where a run reports: enough to find its check run and PR with no database. */
export interface RunTarget {
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  checkRunId: number;
  installationId: number;
  /** Best effort: Batch tags may have replaced unusual characters with `_`. */
  notebook?: string;
}

/** One state change of a run, the same whichever backend ran it. */
export interface JobStateEvent {
  runId: string;
  target: RunTarget;
  status: JobStatus;
  /** 1-based attempt this state belongs to; a retry after an interruption counts up. */
  attempt: number;
  /** Why the run is in this state, when there is something to say (an exit reason, a retry). */
  reason?: string;
  /** Set on the `queued` event of a retry: the attempt that was interrupted and why. */
  retryOf?: { attempt: number; reason: string };
  /** The container or process ran out of memory; the report suggests more `--memory`. */
  outOfMemory?: boolean;
  /** The process exit code, when the attempt ended with one. */
  exitCode?: number;
  /** When the backend saw the change (ISO 8601). */
  at?: string;
  /** The backend's own id: a Batch job id, or the run id locally. */
  backendJobId?: string;
  /** Where the latest attempt's log is, for a link in the report. */
  logs?: JobLogs;
}

export type JobLogs =
  | { kind: "cloudwatch"; region: string; group: string; stream: string }
  | { kind: "file"; path: string };

/** What `status` finds: the run's latest state. */
export interface JobSnapshot extends JobStateEvent {
  backendJobId: string;
}

export interface SubmitResult {
  backendJobId: string;
  /** True when a job for this run id already existed and nothing new was submitted. */
  existing: boolean;
}

export type CancelResult = "cancelled" | "not-found" | "already-finished";

export type JobStateListener = (event: JobStateEvent) => void | Promise<void>;

/**
 * The compute port: where training jobs run. Adapters: `LocalCompute` (child processes, the
 * embedded default) and `AwsBatchCompute`.
 */
export interface Compute {
  /** Starts (or enqueues) the job. Submitting a run id that already has a job submits nothing. */
  submit(job: TrainJob): Promise<SubmitResult>;
  /**
   * Stops the run; its `cancelled` state arrives as an event. `where.queue`: the queue the run was
   * submitted to (from its request), searched besides the backend's own list, which cannot hold
   * the queues an allow-list admits only by a wildcard.
   */
  cancel(runId: string, where?: { queue?: string; reason?: string }): Promise<CancelResult>;
  /** The run's latest state, or null when the backend does not know the run; `where` as for `cancel`. */
  status(runId: string, where?: { queue?: string }): Promise<JobSnapshot | null>;
  /**
   * Calls `listener` for each state change, one event at a time and in order (a listener's
   * promise is awaited before the next event). Returns the unsubscribe function.
   */
  subscribe(listener: JobStateListener): () => void;
}
