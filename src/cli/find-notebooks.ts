// Synchronous on purpose: node:fs/promises costs `nbtrain check` more start-up time than a walk
// of a repository takes, and the command does nothing else meanwhile.
import { readdirSync, statSync, type Dirent } from "node:fs";
import path from "node:path";
import type picomatchType from "picomatch";
import { DEFAULT_INCLUDE } from "../config/default-limits.js";
import { describeFsError } from "./describe-fs-error.js";

/** A file to check, or a place that could not be searched (then `error` says why). */
export interface FoundFile {
  /** As given on the command line, or joined from the directory given and the path found under it. */
  path: string;
  /** Absolute, for reading and de-duplication. */
  absolute: string;
  error?: string;
}

export interface FindOptions {
  cwd: string;
  /** Config globs, relative to `cwd`; they filter directory walks only. */
  include: readonly string[];
  exclude: readonly string[];
}

export interface FindResult {
  files: FoundFile[];
  /** Globs given on the command line that matched no file. */
  unmatched: string[];
}

/** Directories no notebook worth checking lives in; `.ipynb_checkpoints` holds Jupyter's autosaves. */
const SKIPPED_DIRECTORIES = new Set([".git", "node_modules", ".ipynb_checkpoints"]);

/**
 * Expands command-line PATHs into the files to check, in a stable order.
 * - An existing directory is searched recursively for `*.ipynb`, filtered by the config's include/exclude.
 * - A glob (that is not also an existing path) matches files under its static base.
 * - Anything else is taken as a file, even if it does not exist: reading it will report why it failed,
 *   so a path given explicitly never vanishes silently.
 * Symlinked directories are not followed (no cycles); a symlink named `*.ipynb` is a candidate file.
 */
export async function findNotebooks(paths: readonly string[], options: FindOptions): Promise<FindResult> {
  const files: FoundFile[] = [];
  const unmatched: string[] = [];
  const seen = new Set<string>();
  const add = (file: FoundFile): void => {
    if (seen.has(file.absolute)) return;
    seen.add(file.absolute);
    files.push(file);
  };
  // Compiled on first use: a check of named files never walks a directory, and loading and
  // compiling the globs costs more than checking a small notebook.
  let isIncluded: ((key: string) => boolean) | undefined;
  let isExcluded: ((key: string) => boolean) | undefined;
  const wanted = (picomatch: typeof picomatchType | null, key: string): boolean => {
    if (picomatch === null) return DEFAULT_INCLUDE_PATTERN.test(key);
    isIncluded ??= picomatch([...options.include], { dot: true });
    isExcluded ??= options.exclude.length > 0 ? picomatch([...options.exclude], { dot: true }) : () => false;
    return isIncluded(key) && !isExcluded(key);
  };

  for (const given of paths.length > 0 ? paths : ["."]) {
    const absolute = path.resolve(options.cwd, given);
    const kind = await statKind(absolute);
    if (kind === "directory") {
      const picomatch = isDefaultFilter(options) ? null : await loadPicomatch();
      await walk(absolute, given, (file) => {
        const fromCwd = toPosix(path.relative(options.cwd, file.absolute));
        const key = fromCwd.startsWith("../") ? toPosix(path.relative(absolute, file.absolute)) : fromCwd;
        if (file.error !== undefined || wanted(picomatch, key)) add(file);
      }, (name) => name.endsWith(".ipynb"));
    } else if (kind === "missing" && (await loadPicomatch()).scan(given).isGlob) {
      const before = files.length;
      await expandGlob(given, options.cwd, add);
      if (files.length === before) unmatched.push(given);
    } else {
      add({ path: given, absolute });
    }
  }
  return { files, unmatched };
}

async function expandGlob(pattern: string, cwd: string, add: (file: FoundFile) => void): Promise<void> {
  const picomatch = await loadPicomatch();
  const { base } = picomatch.scan(pattern);
  const root = path.resolve(cwd, base === "" ? "." : base);
  if ((await statKind(root)) !== "directory") return;
  const matches = picomatch(toPosix(pattern));
  await walk(root, base, (file) => {
    if (file.error !== undefined || matches(toPosix(file.path))) add(file);
  }, () => true);
}

/** Depth-first, sorted by name, so output order does not depend on the file system. */
async function walk(
  directory: string,
  shown: string,
  visit: (file: FoundFile) => void,
  wanted: (name: string) => boolean,
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    visit({ path: shown === "" ? "." : shown, absolute: directory, error: `cannot search this directory: ${describeFsError(error)}` });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const absolute = path.join(directory, entry.name);
    const shownChild = shown === "" || shown === "." ? entry.name : path.join(shown, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) await walk(absolute, shownChild, visit, wanted);
    } else if (wanted(entry.name)) {
      visit({ path: shownChild, absolute });
    }
  }
}

async function statKind(absolute: string): Promise<"directory" | "other" | "missing"> {
  try {
    return statSync(absolute).isDirectory() ? "directory" : "other";
  } catch {
    return "missing";
  }
}

/**
 * What picomatch compiles the default include (`**\/*.ipynb`, with `dot`) to, exactly (a test
 * holds it to picomatch's own output): with no config, a directory walk then never loads or
 * compiles picomatch, which costs a check of a whole repository a few milliseconds of its start.
 */
export const DEFAULT_INCLUDE_PATTERN = /^(?:(?:(?!(?:^|\/)\.{1,2}(?:\/|$))(?:(?:(?!(?:^|\/)\.{1,2}(?:\/|$)).)*?)\/)?(?!\.{1,2}(?:\/|$))(?=.)[^/]*?\.ipynb\/?)$/;

function isDefaultFilter(options: FindOptions): boolean {
  return options.exclude.length === 0 && options.include.length === 1 && options.include[0] === DEFAULT_INCLUDE[0];
}

let loaded: typeof picomatchType | undefined;
async function loadPicomatch(): Promise<typeof picomatchType> {
  return (loaded ??= (await import("picomatch")).default);
}

function toPosix(p: string): string {
  return path.sep === "/" ? p : p.split(path.sep).join("/");
}
