import type { Context } from "probot";
import { trainConfigSchema, type TrainConfig } from "../config/train-config.js";
import { CONFIG_FILE } from "../github/read-repo-config.js";

export type TrainConfigResult = { ok: true; config: TrainConfig } | { ok: false; message: string };

/**
 * The `train` section of `.github/nbtrain.yml` on the default branch (never the PR's copy, so
 * a PR cannot lift its own limits), validated; an absent file or section gives the defaults.
 */
export async function readTrainConfig(context: Context): Promise<TrainConfigResult> {
  let value: unknown;
  try {
    value = await context.config(CONFIG_FILE);
  } catch (error) {
    if (typeof (error as { status?: unknown }).status === "number") throw error;
    return { ok: false, message: `\`.github/${CONFIG_FILE}\` is not valid YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
  }
  const section = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).train : undefined;
  const parsed = trainConfigSchema.safeParse(section ?? {});
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, message: `\`.github/${CONFIG_FILE}\`: train.${issue.path.join(".")}: ${issue.message}. Fix it on the default branch, then comment again.` };
}
