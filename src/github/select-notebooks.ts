import picomatch from "picomatch";
import type { RepoConfig } from "../config/repo-config.js";
import type { ChangedFile } from "./check-target.js";

/**
 * The changed `.ipynb` files the config's include globs match and its exclude globs do not.
 * Removed files are left out: there is nothing at the head to check.
 */
export function selectNotebooks(files: readonly ChangedFile[], config: Pick<RepoConfig, "include" | "exclude">): ChangedFile[] {
  const included = picomatch(config.include, { dot: true });
  const excluded = config.exclude.length > 0 ? picomatch(config.exclude, { dot: true }) : () => false;
  return files.filter((file) => file.status !== "removed" && file.path.toLowerCase().endsWith(".ipynb") && included(file.path) && !excluded(file.path));
}
