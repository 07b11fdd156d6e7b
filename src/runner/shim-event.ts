import { z } from "zod";

/** One JSON line the Python shim writes to file descriptor 3. */
export const shimEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), python: z.string(), cells: z.number().int() }),
  z.object({ type: z.literal("kernel"), pid: z.number().int().nullable() }),
  z.object({ type: z.literal("cell_start"), index: z.number().int() }),
  z.object({
    type: z.literal("cell_done"),
    index: z.number().int(),
    status: z.string(),
    execution_count: z.number().int().nullable().optional(),
    ename: z.string().optional(),
    evalue: z.string().optional(),
  }),
  /** A stop with notice reached the kernel: interrupted (KeyboardInterrupt sent) or left to a polling notebook. */
  z.object({ type: z.literal("stop"), interrupted: z.boolean(), polling: z.boolean(), cell: z.number().int().nullable() }),
  z.object({
    type: z.literal("finished"),
    status: z.enum(["completed", "failed", "interrupted"]),
    error: z.object({ index: z.number().int().nullable(), ename: z.string(), evalue: z.string() }).nullable().optional(),
    cells_executed: z.number().int(),
    /** How a stop with notice went: whether the cell was interrupted, ended within the grace, or was killed. */
    stop: z
      .object({
        cell: z.number().int().nullable(),
        polling: z.boolean(),
        interrupted: z.boolean(),
        killed: z.boolean(),
        cell_ended_after: z.number().optional(),
      })
      .nullable()
      .optional(),
  }),
]);

export type ShimEvent = z.infer<typeof shimEventSchema>;
export type ShimFinished = Extract<ShimEvent, { type: "finished" }>;
