import { open } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { JobLogs } from "../compute/compute.js";
import { parseDeploymentPolicy } from "../config/deployment-policy.js";
import { openStore } from "../storage/open-store.js";
import { readCloudWatchLogTail } from "../compute/read-cloudwatch-log-tail.js";
import type { TrainDeps } from "./app-deps.js";

const list = z
  .string()
  .transform((text) => text.split(",").map((item) => item.trim()).filter((item) => item !== ""));

/** The deployment's training settings, from the environment; validated before anything starts. */
export const trainEnvSchema = z
  .object({
    /** `local` (the default: jobs run on this machine) or `aws-batch`. `off` disables /train. */
    NBTRAIN_COMPUTE: z.enum(["local", "aws-batch", "off"]).default("local"),
    /** The local backend's folder: its queue, logs and (by default) the file store. */
    NBTRAIN_DATA_DIR: z.string().min(1).default(".nbtrain"),
    /** Where runs are kept; defaults to the file store in NBTRAIN_DATA_DIR. Never put credentials here. */
    NBTRAIN_STORE: z.string().min(1).optional(),
    /** Jobs at once on the local backend; defaults to the GPU count, or 1. */
    NBTRAIN_LOCAL_CONCURRENCY: z.coerce.number().int().positive().optional(),
    /** Attempts per local run; an attempt killed by a signal is retried from its checkpoint. */
    NBTRAIN_LOCAL_ATTEMPTS: z.coerce.number().int().positive().max(10).optional(),
    AWS_REGION: z.string().min(1).optional(),
    /** The Batch job queues repositories may name (comma-separated names, patterns or ARNs; see deployment-policy.ts); cancel and status search those without a wildcard. */
    NBTRAIN_BATCH_QUEUES: list.optional(),
    /** s3:// or gdrive:// folders, besides NBTRAIN_STORE, that `/train --from` may read checkpoints from (comma-separated). */
    NBTRAIN_FROM_LOCATIONS: list.optional(),
    /** `archive` (the default): local jobs run inside the repository's tree at the commit, fetched with a read-only token (README: "Jobs run inside their repository"); `notebook`: the notebook alone. */
    NBTRAIN_JOB_SOURCE: z.enum(["archive", "notebook"]).default("archive"),
  })
  .superRefine((env, ctx) => {
    if (env.NBTRAIN_COMPUTE !== "aws-batch") return;
    if (!env.AWS_REGION) ctx.addIssue({ code: "custom", path: ["AWS_REGION"], message: "is required with NBTRAIN_COMPUTE=aws-batch" });
    if (!env.NBTRAIN_BATCH_QUEUES?.length) ctx.addIssue({ code: "custom", path: ["NBTRAIN_BATCH_QUEUES"], message: "must list the Batch job queues with NBTRAIN_COMPUTE=aws-batch" });
    if (!env.NBTRAIN_STORE || env.NBTRAIN_STORE.startsWith("file:")) {
      ctx.addIssue({ code: "custom", path: ["NBTRAIN_STORE"], message: "must be an s3:// or gdrive:// store the Batch jobs can reach" });
    }
  });

/**
 * The training backend `npm start` uses. With no AWS configured it is the local backend: jobs
 * run the real runner as child processes of this server (`node dist/src/runner/job-entry.js`, the
 * Batch container's entry too), with the file store under `.nbtrain/`. `NBTRAIN_COMPUTE=aws-batch` submits to AWS Batch
 * instead; its job events arrive through `functions/batch-events`. Throws with the variable
 * to fix when the environment is invalid. Returns null with `NBTRAIN_COMPUTE=off`.
 */
export async function loadTrainDeps(env: NodeJS.ProcessEnv, cwd: string, log: (message: string, error?: unknown) => void): Promise<TrainDeps | null> {
  const parsed = trainEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid training settings: ${issue.path.join(".")} ${issue.message}. Fix the environment and start again.`);
  }
  const settings = parsed.data;
  if (settings.NBTRAIN_COMPUTE === "off") return null;
  const dataDir = path.resolve(cwd, settings.NBTRAIN_DATA_DIR);
  const storeUri = settings.NBTRAIN_STORE ?? `file://${dataDir}`;
  // The operator's allow-lists, read before anything opens: a bad one stops the server with the variable to fix.
  const policy = parseDeploymentPolicy(env, storeUri);
  const store = await openStore(storeUri, { baseDir: cwd, env });
  const fromLocations = settings.NBTRAIN_FROM_LOCATIONS ?? [];

  if (settings.NBTRAIN_COMPUTE === "aws-batch") {
    const { AwsBatchCompute } = await import("../compute/aws-batch-compute.js");
    // On Batch the snapshot is opt-in (NBTRAIN_JOB_SOURCE=archive, as templates/sam.yaml sets it): it needs the
    // Secrets Manager permissions on nbtrain/job-token/* that older deployments' roles lack.
    const { AwsJobSecrets } = await import("../compute/aws-job-secrets.js");
    const secrets = env.NBTRAIN_JOB_SOURCE === "archive" ? new AwsJobSecrets({ region: settings.AWS_REGION! }) : undefined;
    const compute = new AwsBatchCompute({
      region: settings.AWS_REGION!,
      // Cancel and status search the queues named without a wildcard (ListJobs needs a queue).
      queues: policy.queues.filter((queue) => !queue.includes("*")),
      onListenerError: (error) => log("a job state listener failed", error),
      ...(secrets ? { environment: (job) => ({ NBTRAIN_JOB_SOURCE: "archive", ...secrets.environmentFor(job.runId) }) } : {}),
    });
    // A failed run's report quotes the end of its CloudWatch log stream.
    return { compute, store, storeUri, fromLocations, policy, backend: "aws-batch", readLogTail: readCloudWatchLogTail(), ...(secrets ? { secrets } : {}) };
  }

  const { LocalCompute } = await import("../compute/local-compute.js");
  const { MemoryJobSecrets } = await import("../compute/job-secrets.js");
  // The job's token lives in this server's memory and reaches the runner as process env only.
  const secrets = settings.NBTRAIN_JOB_SOURCE === "archive" ? new MemoryJobSecrets() : undefined;
  const entry = fileURLToPath(new URL("../runner/job-entry.js", import.meta.url));
  const compute = new LocalCompute({
    stateDir: path.join(dataDir, "local"),
    runner: (job) => ({ command: process.execPath, args: [entry], cwd: dataDir, ...(secrets ? { env: { NBTRAIN_JOB_SOURCE: "archive", ...secrets.environmentFor(job.runId) } } : {}) }),
    ...(settings.NBTRAIN_LOCAL_CONCURRENCY ? { concurrency: settings.NBTRAIN_LOCAL_CONCURRENCY } : {}),
    ...(settings.NBTRAIN_LOCAL_ATTEMPTS ? { attempts: settings.NBTRAIN_LOCAL_ATTEMPTS } : {}),
    env,
    log,
  });
  return { compute, store, storeUri, fromLocations, policy, backend: "local", readLogTail, ...(secrets ? { secrets } : {}), start: () => compute.start(), close: () => compute.close() };
}

const TAIL_BYTES = 16 * 1024;

/** The end of a local job's log file. */
async function readLogTail(logs: JobLogs): Promise<string | null> {
  if (logs.kind !== "file") return null;
  const handle = await open(logs.path, "r");
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString("utf8");
  } finally {
    await handle.close();
  }
}
