import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The root of the git checkout holding `dir` (the nearest folder with a `.git` folder or file,
 * as worktrees and submodules have), or null outside one. `nbtrain train` puts this root on
 * `sys.path`, as a `/train` job has its repository's root.
 */
export function findCheckoutRoot(dir: string): string | null {
  let current = path.resolve(dir);
  for (;;) {
    if (existsSync(path.join(current, ".git"))) return current;
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}
