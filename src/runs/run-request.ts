import { z } from "zod";
import { isRunId } from "../commands/derive-run-id.js";

export const REQUEST_FORMAT = "nbtrain-request/1";

/** What a run may use, as the limits granted it. */
export const runResourcesSchema = z.object({
  gpuType: z.string(),
  gpus: z.number().int().positive(),
  vcpus: z.number().int().positive(),
  memoryMiB: z.number().int().positive(),
  timeoutSeconds: z.number().int().positive(),
  spot: z.boolean(),
  queue: z.string(),
  jobDefinition: z.string(),
});

/** `/train` parameters: names to JSON scalars, injected into the notebook's parameters cell. */
export const runParametersSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

/**
 * `request.json`: what a `/train` asked for, written by the bot before it creates the check run
 * and submits. It lets a redelivery, a re-run, a report and `/train status` know the run with no
 * database.
 */
export const runRequestSchema = z.object({
  format: z.literal(REQUEST_FORMAT),
  runId: z.string().refine(isRunId),
  /** 0 for a baseline run (no comment asked for it). */
  commentId: z.number().int().nonnegative(),
  owner: z.string(),
  repo: z.string(),
  /** 0 for a baseline run, which belongs to a default-branch commit, not to a PR. */
  pullNumber: z.number().int().nonnegative(),
  headSha: z.string(),
  baseRef: z.string(),
  notebook: z.string(),
  parameters: runParametersSchema,
  resources: runResourcesSchema,
  requestedBy: z.string(),
  requestedAt: z.string(),
  /** Absent while the check run is being created: a redelivery then looks it up on GitHub. */
  checkRunId: z.number().int().positive().optional(),
  installationId: z.number().int().positive(),
  /** Set once `Compute.submit` returned; a redelivered webhook that finds it submits nothing. */
  submittedAt: z.string().optional(),
  backendJobId: z.string().optional(),
  /** Why earlier attempts ended, appended as retry events arrive. */
  interruptions: z.array(z.string()).default([]),
  /**
   * Set on a baseline run: the default branch and the commit (= headSha) whose baseline it makes.
   * Only such a run writes a baseline; a PR's run never does.
   */
  baseline: z.object({ branch: z.string().min(1), commit: z.string().regex(/^[0-9a-f]{40}$/u) }).optional(),
});

export type RunRequest = z.output<typeof runRequestSchema>;

/** `request.json` as read back from a store; throws an error that says what to do when it is damaged. */
export function parseRunRequest(value: unknown, runId: string): RunRequest {
  const parsed = runRequestSchema.safeParse(value);
  if (!parsed.success) throw new Error(`request.json of run ${runId} is damaged (${parsed.error.issues[0]?.message}); delete it and comment /train again.`);
  return parsed.data;
}

/** What the bot decides for a new run; the rest of its request starts empty. */
export type RunDecision = Omit<RunRequest, "format" | "requestedAt" | "interruptions" | "checkRunId" | "submittedAt" | "backendJobId" | "baseline"> & Pick<Partial<RunRequest>, "baseline">;

/** The request of a run about to start, before its check run exists. */
export function newRunRequest(decision: RunDecision, requestedAt: string): RunRequest {
  return { format: REQUEST_FORMAT, ...decision, requestedAt, interruptions: [] };
}
