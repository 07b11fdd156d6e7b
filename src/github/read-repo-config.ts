import type { Context } from "probot";
import type { ConfigResult } from "../config/load-repo-config.js";

export const CONFIG_FILE = "nbtrain.yml";

/**
 * Reads `.github/nbtrain.yml` through Probot's `context.config`, so an organisation's `.github`
 * repository supplies defaults, and validates it. A YAML error is a config error, not a crash.
 */
export async function readRepoConfig(context: Context, parse: (value: unknown) => ConfigResult): Promise<ConfigResult> {
  let value: unknown;
  try {
    value = await context.config(CONFIG_FILE);
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    // An HTTP failure is GitHub's fault, not the config's: let the caller fail the run as such.
    if (typeof status === "number") throw error;
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { ok: false, message: `.github/${CONFIG_FILE} is not valid YAML: ${reason}` };
  }
  const result = parse(value);
  return result.ok ? result : { ok: false, message: `.github/${CONFIG_FILE}: ${result.message}` };
}
