import { z } from "zod";
import { shareConfigSchema, shareSettingsOf, type ShareSettings } from "../../config/share-config.js";

export type ShareSection =
  | { ok: true; settings: ShareSettings | null; rest: unknown }
  | { ok: false; message: string; rest: unknown };

/**
 * Splits `share:` off a raw `.github/nbtrain.yml` value and validates it, so the rest can go to
 * the repo config parser unchanged. Never throws. Once `share` is part of the repo config schema,
 * callers read `config.share` instead.
 */
export function readShareSection(value: unknown): ShareSection {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, "share")) {
    return { ok: true, settings: null, rest: value };
  }
  const { share, ...rest } = value as Record<string, unknown>;
  // `share:` with everything commented out is an empty section, not an error.
  const parsed = shareConfigSchema.safeParse(share ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = ["share", ...issue.path.map(String)].join(".");
    return { ok: false, message: `.github/nbtrain.yml: ${where}: ${describe(issue)}`, rest };
  }
  return { ok: true, settings: shareSettingsOf(parsed.data), rest };
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return `unknown key ${issue.keys.map((k) => `"${k}"`).join(", ")}; known keys are enabled, drive_folder, audience, role, reviewer_emails, on_close`;
  if (issue.code === "invalid_union") return "expected reviewers, anyone, { emails: [...] } or { domain: example.com }";
  if (issue.code === "invalid_value") return `expected one of ${issue.values.map(String).join(", ")}`;
  return issue.message;
}
