import { z } from "zod";
import { isRunId } from "../commands/derive-run-id.js";
import { runParametersSchema } from "../runs/run-request.js";
import type { TrainJob } from "./compute.js";

const slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/);
const id = z.number().int().positive();

/**
 * A `TrainJob` read back from outside the process (a queue file on disk): the same shape the
 * type promises, checked, so a hand-edited or truncated file is refused rather than run.
 */
export const trainJobSchema: z.ZodType<TrainJob> = z.object({
  runId: z.string().refine(isRunId, "not a run id from deriveRunId"),
  repo: z.object({ owner: slug, name: slug }),
  pullNumber: id,
  headSha: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/),
  checkRunId: id,
  installationId: id,
  notebook: z.string().min(1).endsWith(".ipynb"),
  parameters: runParametersSchema,
  resources: z.object({
    gpuType: z.string().min(1),
    gpus: id,
    vcpus: id,
    memoryMiB: id,
    timeoutSeconds: id,
    spot: z.boolean(),
    queue: z.string(),
    jobDefinition: z.string(),
  }),
  storeUri: z.string().min(1),
  source: z.object({ requirements: z.enum(["off", "notebook", "root"]), lfs: z.boolean() }).optional(),
});
