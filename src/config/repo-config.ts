import { z } from "zod";
import { RULE_IDS, type RuleId, type SeveritySetting } from "../notebook/finding.js";
import { DEFAULT_INCLUDE, DEFAULT_LIMITS } from "./default-limits.js";
import { shareConfigSchema } from "./share-config.js";
import { trainConfigSchema } from "./train-config.js";

const severity = z.enum(["off", "info", "warning", "error"]);

const ruleSeverities = z
  .object(Object.fromEntries(RULE_IDS.map((id) => [id, severity.optional()])) as Record<RuleId, z.ZodOptional<typeof severity>>)
  .strict();

const positiveBytes = z.number().int().positive();

// Bounded so that a hostile config cannot make glob matching slow; real configs list a handful.
const globList = z.array(z.string().min(1).max(1000)).max(500);

export const limitsSchema = z
  .object({
    /** One output's serialized size before `output-size` fires. */
    output_bytes: positiveBytes.default(DEFAULT_LIMITS.output_bytes),
    /** The whole file's size before `notebook-size` fires; GitHub struggles to render beyond this. */
    notebook_bytes: positiveBytes.default(DEFAULT_LIMITS.notebook_bytes),
    /** One embedded image (decoded) before `large-image` fires. */
    image_bytes: positiveBytes.default(DEFAULT_LIMITS.image_bytes),
    /** Serialized `metadata.widgets` before `widget-state` fires. */
    widget_state_bytes: positiveBytes.default(DEFAULT_LIMITS.widget_state_bytes),
  })
  .strict();

/** `.github/nbtrain.yml`. Unknown keys are errors so that a typo never silently disables a setting. */
export const repoConfigSchema = z
  .object({
    include: globList.default([...DEFAULT_INCLUDE]),
    exclude: globList.default([]),
    rules: ruleSeverities.default({}),
    limits: limitsSchema.default({ ...DEFAULT_LIMITS }),
    /**
     * `/train` and review copies. Validated here so that `nbtrain check` and the notebook check
     * accept them and name a bad key; the App reads each with its own defaults (read-train-config.ts,
     * split-share-config.ts), so they stay optional here.
     */
    train: trainConfigSchema.optional(),
    share: shareConfigSchema.optional(),
  })
  .strict();

export type RepoConfig = z.infer<typeof repoConfigSchema>;
export type Limits = z.infer<typeof limitsSchema>;
export type RuleSeverities = Partial<Record<RuleId, SeveritySetting>>;
