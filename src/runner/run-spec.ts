import { z } from "zod";
import { isParameterName, type ParameterValue } from "../notebook/inject-parameters.js";
import { parseStoreUri } from "../storage/parse-store-uri.js";
import { sourceSpecSchema } from "./source/source-spec.js";

function isStoreUri(text: string): boolean {
  try {
    const location = parseStoreUri(text);
    // parseStoreUri refuses ".." in s3 and Drive paths; a file path is refused here.
    return location.kind !== "file" || !location.path.split(/[\\/]/).includes("..");
  } catch {
    return false;
  }
}

/** Run ids, owners and repo names become store path segments, so they are kept to a safe alphabet. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Names the runner always injects itself; a user parameter may not take them. */
export const RESERVED_PARAMETERS = ["checkpoint_dir", "output_dir", "run_id", "resume"] as const;

function isParameterValue(value: unknown, depth = 0): value is ParameterValue {
  if (depth > 32) return false;
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") return true;
  if (Array.isArray(value)) return value.every((item) => isParameterValue(item, depth + 1));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).every((item) => isParameterValue(item, depth + 1));
  }
  return false;
}

const parameterValue = z.custom<ParameterValue>((value) => isParameterValue(value), {
  message: "a parameter value must be JSON data (null, boolean, number, string, list or mapping)",
});

const parameters = z.record(z.string(), parameterValue).superRefine((record, context) => {
  for (const name of Object.keys(record)) {
    if (!isParameterName(name)) {
      context.addIssue({ code: "custom", message: `parameter name ${JSON.stringify(name)} is not a Python identifier`, path: [name] });
    } else if ((RESERVED_PARAMETERS as readonly string[]).includes(name)) {
      context.addIssue({ code: "custom", message: `parameter ${name} is set by nbtrain and cannot be overridden`, path: [name] });
    }
  }
});

const seconds = z.number().positive().finite();

/** One training run, as the CLI, the local backend or a Batch container hands it to the runner. */
export const runSpecSchema = z
  .object({
    notebook: z.union([
      z.object({ path: z.string().min(1) }).strict(),
      // A Batch job receives the notebook resolved at the PR head SHA, not a checkout.
      z.object({ name: z.string().min(1), base64: z.string() }).strict(),
    ]),
    parameters: parameters.default({}),
    /** file://PATH, s3://bucket/prefix or gdrive://MyDrive/…; see the storage adapters. */
    store: z.string().min(1),
    owner: z.string().regex(SLUG, "owner must be letters, digits, '.', '_' or '-'"),
    repo: z.string().regex(SLUG, "repo must be letters, digits, '.', '_' or '-'"),
    run_id: z.string().regex(RUN_ID_PATTERN, "run id must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit"),
    /** 1-based; when absent, one more than the attempt in the stored result.json. */
    attempt: z.number().int().positive().optional(),
    limits: z
      .object({
        /** Wall-clock limit for the whole notebook; the run stops as on SIGTERM and reports timed-out. */
        timeout_seconds: seconds.optional(),
        /** Limit for one cell, as nbclient's `timeout`. */
        cell_timeout_seconds: seconds.optional(),
        /** How often the checkpoint folder is scanned; a file is uploaded once two scans agree. */
        sync_interval_seconds: seconds.default(2),
        /** Time allowed for the final sync after SIGTERM; Batch and spot give 30 s in all. */
        grace_seconds: seconds.default(25),
        /** After a stop, how long the interrupted cell may take to save (default NBTRAIN_STOP_GRACE, else 10 s). */
        stop_grace_seconds: z.number().nonnegative().finite().optional(),
      })
      .strict()
      .default({ sync_interval_seconds: 2, grace_seconds: 25 }),
    /** Install `requirements.txt` next to the notebook before executing it. */
    install_requirements: z.boolean().default(false),
    /** Offline installs: pip gets `--no-index --find-links` with this folder. */
    pip_find_links: z.string().min(1).optional(),
    /** Local scratch folder; a fresh temporary one when absent. */
    work_dir: z.string().min(1).optional(),
    /**
     * Where a new run's checkpoint_dir starts: `run:ID` (another run of the same repository, its
     * latest manifest) or a store URI of a folder (file://, s3://, gdrive://). Read only; used
     * only while the run has no checkpoint of its own.
     */
    from: z
      .string()
      .min(1)
      .refine((text) => (text.startsWith("run:") ? RUN_ID_PATTERN.test(text.slice(4)) : isStoreUri(text)), "from is run:RUN_ID or a store URI (file://, s3://, gdrive://) without '..'")
      .optional(),
    /** The repository working tree the notebook runs in (see source/source-spec.ts); absent: the notebook alone. */
    source: sourceSpecSchema.optional(),
  })
  .strict();

export type RunSpec = z.infer<typeof runSpecSchema>;
export type RunSpecInput = z.input<typeof runSpecSchema>;
