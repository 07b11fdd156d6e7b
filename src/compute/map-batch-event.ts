import { z } from "zod";
import { batchJobDetailSchema, mapBatchJobDetail, type BatchJobMapping } from "./map-batch-job-detail.js";

const envelopeSchema = z.object({
  "detail-type": z.string(),
  source: z.string(),
  time: z.string().optional(),
  region: z.string().min(1),
  detail: z.unknown(),
});

/**
 * Maps an EventBridge "Batch Job State Change" event to nbtrain's job state event. Validates the
 * event at the edge: a wrong shape comes back as `invalid` with the failing path, another kind of
 * event or a job nbtrain did not submit as `ignored`. Unknown extra fields are tolerated.
 * Never throws.
 */
export function mapBatchEvent(raw: unknown): BatchJobMapping {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) return { kind: "invalid", message: `not an EventBridge event: ${describe(envelope.error)}` };
  const { data } = envelope;
  if (data.source !== "aws.batch" || data["detail-type"] !== "Batch Job State Change") {
    return { kind: "ignored", reason: `event ${data.source} / ${data["detail-type"]} is not a Batch job state change` };
  }
  const detail = batchJobDetailSchema.safeParse(data.detail);
  if (!detail.success) return { kind: "invalid", message: `malformed Batch job state change: ${describe(detail.error)}` };
  return mapBatchJobDetail(detail.data, { region: data.region, ...(data.time ? { at: data.time } : {}) });
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}
