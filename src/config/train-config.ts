import { z } from "zod";
import { parseDuration } from "../commands/parse-duration.js";
import { parseSize } from "../commands/parse-size.js";

/** Memory as MiB (a number) or a size string such as `16GiB`; always MiB once parsed. */
const memory = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  if (typeof value === "number") return value;
  const parsed = parseSize(value);
  if ("mib" in parsed) return parsed.mib;
  ctx.issues.push({ code: "custom", message: parsed.error, input: value });
  return z.NEVER;
});

/** A duration as seconds (a number) or a string such as `2h` or `1h30m`; always seconds once parsed. */
const duration = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  if (typeof value === "number") return value;
  const parsed = parseDuration(value);
  if ("seconds" in parsed) return parsed.seconds;
  ctx.issues.push({ code: "custom", message: parsed.error, input: value });
  return z.NEVER;
});

const gpuTypeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "a GPU type name is letters, digits, ., _ and -");

/**
 * One GPU type a repository may ask for. `vcpus` and `memory` are per GPU: a run with `--gpus 2`
 * gets twice both, and `memory` is also the most `--memory` may ask for per GPU.
 */
export const gpuTypeSchema = z
  .object({
    /** The AWS Batch job queue (name or ARN); used for both capacity types unless overridden below. */
    queue: z.string().min(1),
    /** The queue to use when the run is on spot capacity, when it differs from `queue`. */
    spot_queue: z.string().min(1).optional(),
    /** The queue to use when the run is on-demand, when it differs from `queue`. */
    on_demand_queue: z.string().min(1).optional(),
    /** The AWS Batch job definition (name, name:revision or ARN). */
    job_definition: z.string().min(1),
    vcpus: z.number().int().positive().max(1024),
    memory,
  })
  .strict();

const PERMISSIONS = ["read", "triage", "write", "maintain", "admin"] as const;

/**
 * One entry of `train.baseline`: notebooks (globs, repository-relative) trained on every push to
 * the default branch that changes one of them or the config, with these parameters; the result is
 * that commit's baseline, which PRs' runs are compared with.
 */
export const baselineEntrySchema = z
  .object({
    notebook: z.string().min(1).max(500).refine((glob) => !glob.startsWith("/") && !glob.split("/").includes(".."), "a notebook glob is relative to the repository root, without .."),
    parameters: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/u, "a parameter name is a Python identifier"), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  })
  .strict();
export type BaselineEntry = z.output<typeof baselineEntrySchema>;

/**
 * The `train` section of `.github/nbtrain.yml`: who may `/train`, the GPU types on offer and the
 * limits a command is checked against. Every key has a default, so an absent section is valid;
 * unknown keys are errors so that a typo never silently lifts a limit.
 */
export const trainConfigSchema = z
  .object({
    /** The least collaborator permission a commenter needs to `/train`. */
    permission: z.enum(PERMISSIONS).default("write"),
    gpus: z
      .record(gpuTypeName, gpuTypeSchema)
      .refine((gpus) => Object.keys(gpus).length > 0, "list at least one GPU type")
      .prefault({ default: { queue: "nbtrain", job_definition: "nbtrain-runner", vcpus: 4, memory: "16GiB" } }),
    defaults: z
      .object({
        /** A key of `gpus`; the first listed type when left out. */
        gpu: gpuTypeName.optional(),
        gpus: z.number().int().positive().default(1),
        /** Left out: the GPU type's `memory` times the GPU count. */
        memory: memory.optional(),
        timeout: duration.default(3600),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        max_gpus: z.number().int().positive().default(1),
        max_timeout: duration.default(6 * 3600),
        max_concurrent_per_repo: z.number().int().positive().default(2),
        max_concurrent_per_pr: z.number().int().positive().default(1),
      })
      .strict()
      .prefault({}),
    /** Whether runs use spot capacity unless the command says `--on-demand`. */
    spot: z.boolean().default(true),
    /** Which `requirements.txt` the runner installs: none, the one beside the notebook, or the repository root's. */
    requirements: z.enum(["off", "notebook", "root"]).default("off"),
    /** Opt-in: replace Git LFS pointers in the job's tree by their content (else each is reported). */
    lfs: z.boolean().default(false),
    /** Notebooks trained on pushes to the default branch, as the baselines PR runs compare with. */
    baseline: z.array(baselineEntrySchema).max(20, "list at most 20 baseline entries").default([]),
    /**
     * Pull requests from forks: `approve` (the default) trains a fork's head commit only once a
     * maintainer approved it with `/train approve`; `allow` trains it like a branch's; `deny` never does.
     */
    forks: z.enum(["approve", "allow", "deny"]).default("approve"),
  })
  .strict()
  .superRefine((config, ctx) => {
    const types = Object.keys(config.gpus);
    if (config.defaults.gpu !== undefined && !types.includes(config.defaults.gpu)) {
      ctx.addIssue({
        code: "custom",
        path: ["defaults", "gpu"],
        message: `"${config.defaults.gpu}" is not one of the configured gpus (${types.join(", ")})`,
      });
    }
    if (config.defaults.gpus > config.limits.max_gpus) {
      ctx.addIssue({ code: "custom", path: ["defaults", "gpus"], message: "must not exceed limits.max_gpus" });
    }
    if (config.defaults.timeout > config.limits.max_timeout) {
      ctx.addIssue({ code: "custom", path: ["defaults", "timeout"], message: "must not exceed limits.max_timeout" });
    }
    if (config.limits.max_concurrent_per_pr > config.limits.max_concurrent_per_repo) {
      ctx.addIssue({
        code: "custom",
        path: ["limits", "max_concurrent_per_pr"],
        message: "must not exceed limits.max_concurrent_per_repo",
      });
    }
  })
  .transform((config) => ({
    ...config,
    defaults: { ...config.defaults, gpu: config.defaults.gpu ?? Object.keys(config.gpus)[0]! },
  }));

/** The parsed `train` section; `defaults.gpu` is always set. */
export type TrainConfig = z.output<typeof trainConfigSchema>;
export type GpuType = z.output<typeof gpuTypeSchema>;
export type TrainPermission = (typeof PERMISSIONS)[number];
