import { z } from "zod";

/** A metric value as `metrics.jsonl` and `result.json` carry it. */
export const metricValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export type MetricValue = z.infer<typeof metricValueSchema>;

export const runStatusSchema = z.enum(["running", "completed", "failed", "interrupted", "timed-out"]);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const RESULT_FORMAT = "nbtrain-result/1";

const failureSchema = z.object({
  /** 0-based index into the user's notebook (null for a failure outside any cell). */
  cell_index: z.number().nullable(),
  ename: z.string(),
  evalue: z.string(),
});

/** `result.json`, what the job writes for the bot to report a run. */
export const runResultSchema = z.object({
  format: z.literal(RESULT_FORMAT),
  run_id: z.string(),
  status: runStatusSchema,
  attempt: z.number().int().positive(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  duration_seconds: z.number().nullable(),
  /** Whether this attempt started from a restored checkpoint, and which manifest. */
  resumed: z.boolean(),
  restored_sequence: z.number().nullable(),
  /** The latest manifest in the store when the attempt ended. */
  checkpoint_sequence: z.number().nullable(),
  /** Cells of the user's notebook (the injected parameters cell is not counted). */
  cells_total: z.number(),
  cells_executed: z.number(),
  /** Final metrics: the last metrics.jsonl line overridden by metrics.json. */
  metrics: z.record(z.string(), metricValueSchema),
  metrics_points: z.number(),
  parameters: z.record(z.string(), z.unknown()),
  python: z.string().nullable(),
  failure: failureSchema.nullable(),
  warnings: z.array(z.string()),
  /** The folder or run this run's checkpoint_dir started as a copy of (on the attempt that copied it). */
  seeded_from: z.object({ source: z.string(), files: z.number(), bytes: z.number() }).optional(),
  /** How a stop with notice went: the cell interrupted (or left to a polling notebook), and whether it was killed after the grace. */
  stop: z
    .object({
      reason: z.enum(["interrupted", "timeout"]),
      cell_interrupted: z.boolean(),
      polling: z.boolean(),
      killed_after_grace: z.boolean(),
      grace_seconds: z.number(),
      cell_ended_after_seconds: z.number().optional(),
    })
    .optional(),
});
export type RunResult = z.infer<typeof runResultSchema>;

const fields = runResultSchema.shape;

/**
 * The parts of `result.json` the bot reads, lenient at the edge: a result from an older or newer
 * runner still reports what it can. Only `status` must be there; the rest falls back.
 */
export const runResultViewSchema = z.object({
  status: fields.status,
  attempt: fields.attempt.catch(1),
  started_at: fields.started_at.catch(""),
  finished_at: fields.finished_at.catch(null),
  duration_seconds: fields.duration_seconds.catch(null),
  resumed: fields.resumed.catch(false),
  restored_sequence: fields.restored_sequence.catch(null),
  checkpoint_sequence: fields.checkpoint_sequence.catch(null),
  cells_total: fields.cells_total.catch(0),
  cells_executed: fields.cells_executed.catch(0),
  metrics: fields.metrics.catch({}),
  metrics_points: fields.metrics_points.catch(0),
  parameters: fields.parameters.catch({}),
  failure: fields.failure.catch(null),
  warnings: fields.warnings.catch([]),
});
export type RunResultView = z.infer<typeof runResultViewSchema>;

/**
 * `result.json` as read back from a store, for the report. Throws an error that names the key
 * and what is wrong when it holds something else than a run result.
 */
export function parseRunResult(value: unknown, key: string): RunResultView {
  const parsed = runResultViewSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`${key} is not a run result (${issue.path.join(".") || "(root)"}: ${issue.message}); the runner writes it, so the job ended before it could or something else overwrote it.`);
}
