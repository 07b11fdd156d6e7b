import { signRunPageToken, type RunRef } from "./run-page-token.js";
import type { RunPageSettings } from "./run-page-settings.js";

/** The path prefix every run page route lives under. */
export const RUN_PAGE_ROOT = "/nbtrain";

/** The run's page path, with `artifact` (such as `output.ipynb`) when given; no token. */
export function runPagePath(ref: RunRef, artifact?: string): string {
  const base = `${RUN_PAGE_ROOT}/runs/${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.repo)}/${encodeURIComponent(ref.runId)}`;
  return artifact ? `${base}/${artifact}` : base;
}

/** The signed link to the run's page (or one of its artifacts), or null when the deployment has no public URL. */
export function runPageUrl(settings: RunPageSettings, ref: RunRef, now: Date, artifact?: string): string | null {
  if (!settings.publicUrl) return null;
  const token = signRunPageToken(settings.key, ref, new Date(now.getTime() + settings.ttlSeconds * 1000));
  return `${settings.publicUrl}${runPagePath(ref, artifact)}?t=${token}`;
}
