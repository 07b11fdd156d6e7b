import type { Context } from "probot";
import type { ShareSettings } from "../config/share-config.js";
import { readShareSection } from "./plan/read-share-section.js";
import { describeError } from "../github/describe-error.js";
import { CONFIG_FILE } from "../github/read-repo-config.js";

/**
 * The repository's `share:` settings for an event that only needs them (a PR closing, a review
 * request), or null when sharing is off or the config cannot be read; the reason is logged, and
 * the review copies are then left as they are.
 */
export async function readShareSettings(context: Context, log: Pick<Context["log"], "warn" | "debug">): Promise<ShareSettings | null> {
  let raw: unknown;
  try {
    raw = await context.config(CONFIG_FILE);
  } catch (error) {
    log.warn({ reason: describeError(error) }, "could not read .github/nbtrain.yml; review copies left as they are");
    return null;
  }
  const section = readShareSection(raw);
  if (!section.ok) {
    log.warn({ reason: section.message }, "share config is invalid; review copies left as they are");
    return null;
  }
  if (!section.settings) log.debug("review copies are off for this repository");
  return section.settings;
}
