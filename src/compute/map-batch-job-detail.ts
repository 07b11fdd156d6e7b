import { z } from "zod";
import { isRunId } from "../commands/derive-run-id.js";
import type { JobStateEvent, RunTarget } from "./compute.js";
import { TAG_KEYS } from "./batch-job-tags.js";

/** `TerminateJob` reasons nbtrain writes start with this, so the FAILED event reads as cancelled. */
export const CANCEL_REASON_PREFIX = "Cancelled via nbtrain";

const DEFAULT_LOG_GROUP = "/aws/batch/job";

const containerSchema = z.object({
  exitCode: z.number().int().optional(),
  reason: z.string().optional(),
  logStreamName: z.string().optional(),
});

const attemptSchema = z.object({
  container: containerSchema.optional(),
  startedAt: z.number().optional(),
  stoppedAt: z.number().optional(),
  statusReason: z.string().optional(),
});

/**
 * The parts of a Batch `JobDetail` (DescribeJobs, and the `detail` of a "Batch Job State Change"
 * event) that nbtrain reads. Unknown fields are dropped, not refused: AWS adds fields over time.
 */
export const batchJobDetailSchema = z.object({
  jobId: z.string().min(1),
  jobName: z.string().optional(),
  status: z.string().min(1),
  statusReason: z.string().optional(),
  attempts: z.array(attemptSchema).nullish().transform((attempts) => attempts ?? []),
  retryStrategy: z.object({ attempts: z.number().int().optional() }).nullish(),
  container: containerSchema
    .extend({
      environment: z.array(z.object({ name: z.string().optional(), value: z.string().optional() })).nullish(),
      logConfiguration: z.object({ options: z.record(z.string(), z.string()).nullish() }).nullish(),
    })
    .nullish(),
  tags: z.record(z.string(), z.string()).nullish(),
});

export type BatchJobDetail = z.infer<typeof batchJobDetailSchema>;

export type BatchJobMapping =
  | { kind: "event"; event: JobStateEvent }
  /** Not an nbtrain job, or a state nbtrain does not report. */
  | { kind: "ignored"; reason: string }
  /** An nbtrain job whose tags are unusable: log it, there is nothing to report to. */
  | { kind: "invalid"; message: string };

/**
 * Maps a Batch job's state to the job state event nbtrain reports:
 * SUBMITTED, PENDING, RUNNABLE → queued (with `retryOf` when an earlier attempt was
 * interrupted, e.g. a spot reclaim); STARTING → starting; RUNNING → running; SUCCEEDED →
 * succeeded; FAILED → failed, or cancelled when nbtrain terminated it.
 */
export function mapBatchJobDetail(detail: BatchJobDetail, context: { region: string; at?: string }): BatchJobMapping {
  const target = readTarget(detail);
  if (target === null) return { kind: "ignored", reason: `job ${detail.jobId} has no ${TAG_KEYS.runId} tag: not an nbtrain job` };
  if ("error" in target) return { kind: "invalid", message: `job ${detail.jobId}: ${target.error}` };

  const attempts = detail.attempts;
  const last = attempts.at(-1);
  const current = attempts.length + 1;
  const finished = Math.max(1, attempts.length);
  const base = {
    runId: target.runId,
    target: target.target,
    backendJobId: detail.jobId,
    ...(context.at === undefined ? {} : { at: context.at }),
  };
  const logs = logsOf(detail, last, context.region);

  switch (detail.status) {
    case "SUBMITTED":
    case "PENDING":
    case "RUNNABLE": {
      if (last === undefined) return { kind: "event", event: { ...base, status: "queued", attempt: current } };
      const why = describeAttempt(last) ?? "the attempt ended";
      return {
        kind: "event",
        event: {
          ...base,
          status: "queued",
          attempt: current,
          reason: `retrying after attempt ${attempts.length}: ${why}`,
          retryOf: { attempt: attempts.length, reason: why },
          ...(logs ? { logs } : {}),
        },
      };
    }
    case "STARTING":
      return { kind: "event", event: { ...base, status: "starting", attempt: current } };
    case "RUNNING":
      return { kind: "event", event: { ...base, status: "running", attempt: current, ...(logs ? { logs } : {}) } };
    case "SUCCEEDED": {
      const exitCode = last?.container?.exitCode ?? detail.container?.exitCode;
      return {
        kind: "event",
        event: { ...base, status: "succeeded", attempt: finished, ...(exitCode === undefined ? {} : { exitCode }), ...(logs ? { logs } : {}) },
      };
    }
    case "FAILED": {
      const statusReason = detail.statusReason ?? last?.statusReason;
      if (statusReason?.startsWith(CANCEL_REASON_PREFIX) || /^(terminated|cancell?ed) by user/i.test(statusReason ?? "")) {
        return { kind: "event", event: { ...base, status: "cancelled", attempt: finished, reason: statusReason, ...(logs ? { logs } : {}) } };
      }
      const containerReason = last?.container?.reason ?? detail.container?.reason;
      const exitCode = last?.container?.exitCode ?? detail.container?.exitCode;
      const reasons = [containerReason, statusReason].filter((r): r is string => Boolean(r));
      let reason = [...new Set(reasons)].join("; ") || "the job failed";
      if (exitCode !== undefined) reason += ` (exit code ${exitCode})`;
      if (/^Host EC2/.test(statusReason ?? "")) reason += `; the instance was reclaimed and all ${attempts.length} attempt(s) are used`;
      const outOfMemory = reasons.some((r) => /OutOfMemory/i.test(r));
      return {
        kind: "event",
        event: {
          ...base,
          status: "failed",
          attempt: finished,
          reason,
          ...(outOfMemory ? { outOfMemory: true } : {}),
          ...(exitCode === undefined ? {} : { exitCode }),
          ...(logs ? { logs } : {}),
        },
      };
    }
    default:
      return { kind: "ignored", reason: `job ${detail.jobId} is in status ${detail.status}, which nbtrain does not report` };
  }
}

function describeAttempt(attempt: z.infer<typeof attemptSchema>): string | undefined {
  const reasons = [attempt.statusReason, attempt.container?.reason].filter((r): r is string => Boolean(r));
  return reasons.length > 0 ? [...new Set(reasons)].join("; ") : undefined;
}

function logsOf(detail: BatchJobDetail, last: z.infer<typeof attemptSchema> | undefined, region: string): JobStateEvent["logs"] {
  const stream = detail.container?.logStreamName ?? last?.container?.logStreamName;
  if (!stream) return undefined;
  const group = detail.container?.logConfiguration?.options?.["awslogs-group"] ?? DEFAULT_LOG_GROUP;
  return { kind: "cloudwatch", region, group, stream };
}

const positiveInt = z.coerce.number().int().positive();

/**
 * Reads where to report from the job's tags, falling back to the `NBTRAIN_*` container
 * environment (set at submit, and part of the job detail even if tags are absent).
 */
function readTarget(detail: BatchJobDetail): { runId: string; target: RunTarget } | { error: string } | null {
  const env = new Map((detail.container?.environment ?? []).map((e) => [e.name ?? "", e.value ?? ""]));
  const tags = detail.tags ?? {};
  const read = (tag: string, envName: string): string | undefined => tags[tag] ?? env.get(envName);
  const runId = read(TAG_KEYS.runId, "NBTRAIN_RUN_ID");
  if (runId === undefined) return null;
  if (!isRunId(runId)) return { error: `the run id ${JSON.stringify(runId.slice(0, 60))} is not one nbtrain makes` };
  const repo = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(read(TAG_KEYS.repo, "NBTRAIN_REPO") ?? "");
  const pullNumber = positiveInt.safeParse(read(TAG_KEYS.pullNumber, "NBTRAIN_PULL_NUMBER"));
  const checkRunId = positiveInt.safeParse(read(TAG_KEYS.checkRunId, "NBTRAIN_CHECK_RUN_ID"));
  const installationId = positiveInt.safeParse(read(TAG_KEYS.installationId, "NBTRAIN_INSTALLATION_ID"));
  const headSha = read(TAG_KEYS.headSha, "NBTRAIN_HEAD_SHA") ?? "";
  const missing = [
    repo ? null : TAG_KEYS.repo,
    pullNumber.success ? null : TAG_KEYS.pullNumber,
    checkRunId.success ? null : TAG_KEYS.checkRunId,
    installationId.success ? null : TAG_KEYS.installationId,
    /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(headSha) ? null : TAG_KEYS.headSha,
  ].filter((key) => key !== null) as string[];
  if (missing.length > 0 || !repo || !pullNumber.success || !checkRunId.success || !installationId.success) {
    return { error: `run ${runId} has missing or malformed tags: ${missing.join(", ")}` };
  }
  const notebook = read(TAG_KEYS.notebook, "NBTRAIN_NOTEBOOK");
  return {
    runId,
    target: {
      owner: repo[1]!,
      repo: repo[2]!,
      pullNumber: pullNumber.data,
      headSha,
      checkRunId: checkRunId.data,
      installationId: installationId.data,
      ...(notebook ? { notebook } : {}),
    },
  };
}
