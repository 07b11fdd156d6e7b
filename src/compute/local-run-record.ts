import { z } from "zod";
import { trainJobSchema } from "./train-job-schema.js";

const statusSchema = z.enum(["queued", "starting", "running", "succeeded", "failed", "cancelled"]);

/**
 * One run of the local backend on disk, `<stateDir>/queue/<run-id>.json`. It is read back after a
 * restart, so it is parsed rather than trusted.
 */
export const localRunRecordSchema = z.object({
  version: z.literal(1),
  seq: z.number().int().nonnegative(),
  job: trainJobSchema,
  status: statusSchema,
  attempt: z.number().int().positive(),
  reason: z.string().optional(),
  retryOf: z.object({ attempt: z.number().int().positive(), reason: z.string() }).optional(),
  exitCode: z.number().int().optional(),
  pid: z.number().int().positive().optional(),
  pidStartTime: z.string().optional(),
  /** Set when a cancel reached a running process; its exit then reads as cancelled. */
  cancelReason: z.string().optional(),
  updatedAt: z.string(),
});

export type LocalRunRecord = z.infer<typeof localRunRecordSchema>;
