import type { BatchClient, JobSummary, SubmitJobCommandInput } from "@aws-sdk/client-batch";
import { batchJobName, jobNamePrefix } from "./batch-job-name.js";
import { batchJobTags } from "./batch-job-tags.js";
import { ComputeError } from "./compute-error.js";
import type { CancelResult, Compute, JobSnapshot, JobStateListener, SubmitResult, TrainJob } from "./compute.js";
import { JobEventBus } from "./job-event-bus.js";
import { mapBatchEvent } from "./map-batch-event.js";
import { batchJobDetailSchema, CANCEL_REASON_PREFIX, mapBatchJobDetail, type BatchJobMapping } from "./map-batch-job-detail.js";
import { runnerEnvironment } from "./runner-environment.js";

type BatchSdk = typeof import("@aws-sdk/client-batch");

export interface AwsBatchComputeOptions {
  /** The AWS region of the queues; also used in CloudWatch log links. */
  region: string;
  /**
   * The queues `cancel` and `status` search for a run's job: ListJobs needs a queue, and there is
   * no database to remember which one. Every queue the repo configs may name belongs here.
   */
  queues: readonly string[];
  /**
   * A container command that replaces the job definition's. Leave it out for the runner image:
   * its ENTRYPOINT, `nbtrain-runner`, reads the job from the `NBTRAIN_*` environment, and a
   * command would reach it as arguments (a spec file to read).
   */
  command?: (job: TrainJob) => string[];
  /**
   * Variables added to the job's environment after runnerEnvironment's: names and switches only
   * (the job token's secret name, NBTRAIN_JOB_SOURCE), never a credential.
   */
  environment?: (job: TrainJob) => Record<string, string>;
  /** Attempts per job (1-10); retries happen only on `Host EC2*` (spot reclaim, host failure). */
  attempts?: number;
  /** An SDK client to use instead of one made on first use (tests, custom credentials). */
  client?: Pick<BatchClient, "send">;
  /** Listener failures; the default drops them after delivery to the other listeners. */
  onListenerError?: (error: unknown) => void;
}

const TERMINAL = new Set(["SUCCEEDED", "FAILED"]);
const MAX_LIST_PAGES = 5;

/**
 * The AWS Batch backend. The SDK is imported on first use so a webhook's cold start does not
 * pay for it. Batch emits no event on submit, so `submit` reports nothing itself; later states
 * arrive as EventBridge events through `handleEvent`.
 */
export class AwsBatchCompute implements Compute {
  private readonly bus: JobEventBus;
  private sdk: Promise<{ sdk: BatchSdk; client: Pick<BatchClient, "send"> }> | undefined;

  constructor(private readonly options: AwsBatchComputeOptions) {
    const attempts = options.attempts ?? 3;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10) {
      throw new ComputeError(`attempts must be an integer from 1 to 10 (AWS Batch's range); got ${attempts}.`);
    }
    this.bus = new JobEventBus(options.onListenerError);
  }

  /** The exact SubmitJob request for a job; public so that what reaches AWS can be reviewed. */
  submitJobInput(job: TrainJob): SubmitJobCommandInput {
    const { resources } = job;
    const command = this.options.command?.(job);
    return {
      jobName: batchJobName(job),
      jobQueue: resources.queue,
      jobDefinition: resources.jobDefinition,
      containerOverrides: {
        ...(command ? { command } : {}),
        environment: Object.entries({ ...runnerEnvironment(job), ...this.options.environment?.(job) }).map(([name, value]) => ({ name, value })),
        resourceRequirements: [
          { type: "GPU", value: String(resources.gpus) },
          { type: "VCPU", value: String(resources.vcpus) },
          { type: "MEMORY", value: String(resources.memoryMiB) },
        ],
      },
      retryStrategy: {
        attempts: this.options.attempts ?? 3,
        // A reclaimed spot instance or a failed host is retried, and the run resumes from its last
        // checkpoint; anything else (the notebook's own failure, OOM) would only fail again.
        evaluateOnExit: [
          { onStatusReason: "Host EC2*", action: "RETRY" },
          { onReason: "*", action: "EXIT" },
        ],
      },
      timeout: { attemptDurationSeconds: resources.timeoutSeconds },
      tags: batchJobTags(job),
      propagateTags: true,
    };
  }

  async submit(job: TrainJob): Promise<SubmitResult> {
    const { sdk, client } = await this.load();
    // SubmitJob has no idempotency token; a job already named after this run id is this run.
    const existing = await this.findJobs(job.runId, [job.resources.queue]);
    if (existing[0]?.jobId) return { backendJobId: existing[0].jobId, existing: true };
    try {
      const output = await client.send(new sdk.SubmitJobCommand(this.submitJobInput(job)));
      if (!output.jobId) throw new Error("the response carries no jobId");
      return { backendJobId: output.jobId, existing: false };
    } catch (error) {
      throw awsError(`AWS Batch SubmitJob for run ${job.runId} on queue ${job.resources.queue}`, error, "batch:SubmitJob and batch:TagResource");
    }
  }

  async cancel(runId: string, options: { reason?: string; queue?: string } = {}): Promise<CancelResult> {
    const { sdk, client } = await this.load();
    const jobs = await this.findJobs(runId, [...this.options.queues, ...(options.queue ? [options.queue] : [])]);
    if (jobs.length === 0) return "not-found";
    const active = jobs.filter((summary) => summary.jobId && !TERMINAL.has(summary.status ?? ""));
    if (active.length === 0) return "already-finished";
    const reason = options.reason ? `${CANCEL_REASON_PREFIX}: ${options.reason}` : CANCEL_REASON_PREFIX;
    for (const summary of active) {
      try {
        await client.send(new sdk.TerminateJobCommand({ jobId: summary.jobId!, reason: reason.slice(0, 1000) }));
      } catch (error) {
        throw awsError(`AWS Batch TerminateJob for run ${runId} (job ${summary.jobId})`, error, "batch:TerminateJob");
      }
    }
    return "cancelled";
  }

  async status(runId: string, where: { queue?: string } = {}): Promise<JobSnapshot | null> {
    const { sdk, client } = await this.load();
    const [latest] = await this.findJobs(runId, [...this.options.queues, ...(where.queue ? [where.queue] : [])]);
    if (!latest?.jobId) return null;
    let output;
    try {
      output = await client.send(new sdk.DescribeJobsCommand({ jobs: [latest.jobId] }));
    } catch (error) {
      throw awsError(`AWS Batch DescribeJobs for run ${runId}`, error, "batch:DescribeJobs");
    }
    const detail = batchJobDetailSchema.safeParse(output.jobs?.[0]);
    if (!detail.success) return null;
    const mapped = mapBatchJobDetail(detail.data, { region: this.options.region });
    if (mapped.kind !== "event") return null;
    return { ...mapped.event, backendJobId: latest.jobId };
  }

  subscribe(listener: JobStateListener): () => void {
    return this.bus.subscribe(listener);
  }

  /**
   * Takes one EventBridge "Batch Job State Change" event and delivers the mapped job state event
   * to subscribers. Returns the mapping so the caller can log what was ignored or invalid.
   */
  async handleEvent(raw: unknown): Promise<BatchJobMapping> {
    const mapped = mapBatchEvent(raw);
    if (mapped.kind === "event") await this.bus.emit(mapped.event);
    return mapped;
  }

  /** The run's jobs across `queues`, newest first. */
  private async findJobs(runId: string, queues: readonly string[]): Promise<JobSummary[]> {
    const { sdk, client } = await this.load();
    const found: JobSummary[] = [];
    for (const jobQueue of new Set(queues)) {
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
        let output;
        try {
          output = await client.send(
            new sdk.ListJobsCommand({ jobQueue, filters: [{ name: "JOB_NAME", values: [`${jobNamePrefix(runId)}*`] }], nextToken }),
          );
        } catch (error) {
          throw awsError(`AWS Batch ListJobs on queue ${jobQueue} for run ${runId}`, error, "batch:ListJobs");
        }
        found.push(...(output.jobSummaryList ?? []));
        nextToken = output.nextToken;
        if (!nextToken) break;
      }
    }
    return found.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  }

  private load(): Promise<{ sdk: BatchSdk; client: Pick<BatchClient, "send"> }> {
    this.sdk ??= import("@aws-sdk/client-batch").then((sdk) => ({
      sdk,
      client: this.options.client ?? new sdk.BatchClient({ region: this.options.region }),
    }));
    return this.sdk;
  }
}

function awsError(what: string, error: unknown, permissions: string): ComputeError {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return new ComputeError(
    `${what} failed: ${name}: ${message}. Check that the queue and job definition exist in this region and that the bot's role allows ${permissions}.`,
    { cause: error },
  );
}
