import type { Compute, JobLogs } from "../compute/compute.js";
import type { JobSecrets } from "../compute/job-secrets.js";
import type { DeploymentPolicy } from "../config/deployment-policy.js";
import type { Store } from "../storage/store.js";

/** What `/train` needs: where jobs run and where their artifacts are kept. */
export interface TrainDeps {
  compute: Compute;
  /** The bot's view of the store the jobs write to; the report reads result.json from it. */
  store: Store;
  /** The same store as jobs are told to open it; never holds credentials. */
  storeUri: string;
  /** Besides the store, the s3:// and gdrive:// folders `/train --from` may read checkpoints from (NBTRAIN_FROM_LOCATIONS). */
  fromLocations?: string[];
  /** The operator's allow-lists and caps; every run is judged against them before it is submitted. */
  policy: DeploymentPolicy;
  /** Which backend `compute` is: queues and job definitions are judged on AWS Batch only. */
  backend: "aws-batch" | "local";
  /** The last lines of a job's log, for a failure report; absent where logs are only linked (Batch). */
  readLogTail?: (logs: JobLogs) => Promise<string | null>;
  /**
   * Where a job's read-only GitHub token goes (the backend's secrets mechanism). When set, each
   * run gets a token for its repository's archive (contents: read, one repository), created
   * before submit; a refused token fails the run before submit. See "Jobs run inside their repository" in the README.
   */
  secrets?: JobSecrets;
  /** Starts the backend once the app has subscribed to its events (the local backend replays recovered runs). */
  start?: () => Promise<void>;
  /** Stops the backend; local runs resume on the next start. */
  close?: () => Promise<void>;
}
