import type { ConfigResult } from "../config/load-repo-config.js";
import type { ShareSettings } from "../config/share-config.js";
import { readShareSection } from "./plan/read-share-section.js";

/**
 * Wraps the repo config parser so that `share:` is validated here and the rest goes to `parse`
 * unchanged; an invalid `share:` is a config error like any other. `settings()` is valid once the
 * wrapped parser has run. (When the repo config schema holds `share`, read `config.share` instead.)
 */
export function splitShareConfig(parse: (value: unknown) => ConfigResult): { parse: (value: unknown) => ConfigResult; settings: () => ShareSettings | null } {
  let settings: ShareSettings | null = null;
  return {
    parse(value) {
      const section = readShareSection(value);
      if (!section.ok) return { ok: false, message: section.message };
      settings = section.settings;
      return parse(section.rest);
    },
    settings: () => settings,
  };
}
