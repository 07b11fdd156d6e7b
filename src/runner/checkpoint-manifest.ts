import { z } from "zod";
import { RUN_FILES } from "../runs/run-layout.js";
import { normaliseKey } from "../storage/normalise-key.js";

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const relativeKey = z.string().refine((value) => {
  try {
    return normaliseKey(value) === value;
  } catch {
    return false;
  }
}, "not a normalised relative key");

/**
 * `manifest.json`: the consistent set of checkpoint files a restore may use. It is written only
 * after every file it names is uploaded and verified, so it never points at a partial upload.
 * Each file version lives at its own key (`checkpoints/<sequence>/<path>`), so uploading a newer
 * version never disturbs the one the current manifest names.
 */
export const checkpointManifestSchema = z.object({
  format: z.literal("nbtrain-manifest/1"),
  run_id: z.string(),
  /** Increases by one with every manifest written for the run, across attempts. */
  sequence: z.number().int().nonnegative(),
  attempt: z.number().int().positive(),
  written_at: z.string(),
  files: z.array(
    z.object({
      /** Path inside the checkpoint folder. */
      path: relativeKey,
      /** Store key, relative to the run prefix. */
      key: relativeKey.refine((key) => key.startsWith(RUN_FILES.checkpoints), `a checkpoint key starts with ${RUN_FILES.checkpoints}`),
      size: z.number().int().nonnegative(),
      sha256,
    }),
  ),
});

export type CheckpointManifest = z.infer<typeof checkpointManifestSchema>;
export type ManifestEntry = CheckpointManifest["files"][number];

export const MANIFEST_KEY = RUN_FILES.manifest;
