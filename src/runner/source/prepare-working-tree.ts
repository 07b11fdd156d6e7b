import { createReadStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import { RUN_FILES } from "../../runs/run-layout.js";
import type { Store } from "../../storage/store.js";
import { fetchLfsObjects } from "./fetch-lfs-objects.js";
import { installSourceRequirements } from "./install-source-requirements.js";
import { readSubmodules } from "./read-submodules.js";
import { snapshotSource, type SnapshotOptions } from "./snapshot-source.js";
import { SourceError } from "./source-error.js";
import { DEFAULT_UNPACK_LIMITS } from "./unpack-archive.js";
import type { SourceSpec } from "./source-spec.js";

export interface WorkingTreeDeps {
  /** The run's store, scoped to its prefix. */
  store: Store;
  owner: string;
  repo: string;
  /** The run's scratch folder: the tree is unpacked into `source/`, pip's log goes to `logs/`. */
  workDir: string;
  /** The job's read-only GitHub token, when this attempt has one. */
  token?: string;
  python: string;
  /** Environment for pip: the runner's, without the token. */
  env: NodeJS.ProcessEnv;
  pipFindLinks?: string;
  warn: (message: string) => void;
  /** Tells the progress log that requirements are being installed. */
  installing?: (file: string) => void;
  /** Download overrides for tests. */
  download?: Pick<SnapshotOptions, "fetch" | "attempts" | "backoffMs">;
  signal?: AbortSignal;
  /** The notebook's folder when it was given by path (a checkout); the kernel's folder then. */
  notebookDir?: string | null;
}

/** What the execution step needs from the tree: the kernel's folder and extra `sys.path` entries. */
export interface WorkingTree {
  /** The notebook's own folder, as after `%cd` into a cloned repository. */
  cwd: string;
  /** The repository root first, then installed requirements. */
  pythonPath: string[];
  /** The repository root. */
  root: string;
}

/**
 * Makes the repository's working tree ready for the notebook: for a `github` source, the verified
 * archive at the commit, unpacked into the run's folder, with LFS pointers and missing submodules
 * reported and the configured `requirements.txt` installed (pip's log kept in the store as
 * `logs/pip.log`); for a `checkout`, the checkout as it is.
 */
export async function prepareWorkingTree(source: SourceSpec, deps: WorkingTreeDeps): Promise<WorkingTree> {
  if (source.kind === "checkout") {
    const root = path.resolve(source.root);
    return { cwd: deps.notebookDir ?? root, pythonPath: [root], root };
  }
  const root = path.join(deps.workDir, "source");
  const snapshot = await snapshotSource({
    store: deps.store,
    owner: deps.owner,
    repo: deps.repo,
    sha: source.sha,
    apiUrl: source.api_url,
    dest: root,
    scratch: path.join(deps.workDir, "download"),
    limits: { ...(source.max_bytes ? { maxBytes: source.max_bytes } : {}), ...(source.max_entries ? { maxEntries: source.max_entries } : {}) },
    warn: deps.warn,
    ...(deps.token ? { token: deps.token } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...deps.download,
  });

  if (snapshot.lfsPointerCount > 0 && source.lfs) {
    if (snapshot.lfsPointerCount > snapshot.lfsPointers.length) {
      throw new SourceError("too-large", `The repository has ${snapshot.lfsPointerCount} Git LFS pointer files; nbtrain fetches at most ${snapshot.lfsPointers.length}.`);
    }
    await fetchLfsObjects({
      root,
      pointers: snapshot.lfsPointers,
      store: deps.store,
      owner: deps.owner,
      repo: deps.repo,
      apiUrl: source.api_url,
      maxBytes: source.max_bytes ?? DEFAULT_UNPACK_LIMITS.maxBytes,
      ...(deps.token ? { token: deps.token } : {}),
      ...(deps.download?.fetch ? { fetch: deps.download.fetch } : {}),
    });
  } else if (snapshot.lfsPointerCount > 0) {
    const listed = snapshot.lfsPointers.slice(0, 5).join(", ");
    const more = snapshot.lfsPointerCount > 5 ? ` and ${snapshot.lfsPointerCount - 5} more` : "";
    deps.warn(
      `${snapshot.lfsPointerCount} file${snapshot.lfsPointerCount === 1 ? " is a Git LFS pointer" : "s are Git LFS pointers"}, not content (${listed}${more}): GitHub's archives do not include LFS objects, so the notebook sees the small pointer text. Set lfs: true in the run's source to fetch them.`,
    );
  }
  const submodules = await readSubmodules(root);
  if (submodules.length > 0) {
    deps.warn(`submodule${submodules.length === 1 ? "" : "s"} ${submodules.join(", ")} ${submodules.length === 1 ? "is" : "are"} not included: GitHub's archives leave submodules out.`);
  }

  const notebookDir = path.posix.dirname(source.path);
  const cwd = notebookDir === "." ? root : path.join(root, ...notebookDir.split("/"));
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
    throw new SourceError("not-found", `The folder of ${source.path} is not in the archive of ${source.sha.slice(0, 7)}; check the notebook path.`);
  }

  const pythonPath = [root];
  if (source.requirements !== "off") {
    const folder = source.requirements === "root" ? root : cwd;
    const file = path.join(folder, "requirements.txt");
    const name = path.posix.join(source.requirements === "root" ? "." : notebookDir, "requirements.txt").replace(/^\.\//u, "");
    if (existsSync(file)) {
      deps.installing?.(name);
      const target = path.join(deps.workDir, "site-packages");
      const log = path.join(deps.workDir, "logs", "pip.log");
      try {
        await installSourceRequirements({ python: deps.python, requirements: file, target, log, cwd: folder, name, env: deps.env, ...(deps.pipFindLinks ? { findLinks: deps.pipFindLinks } : {}) });
      } finally {
        if (existsSync(log)) {
          await deps.store.put(RUN_FILES.pipLog, createReadStream(log), { contentType: "text/plain" }).catch((error: unknown) => deps.warn(`pip's log could not be stored: ${(error as Error).message}`));
        }
      }
      pythonPath.push(target);
    } else {
      deps.warn(`requirements: ${source.requirements} is configured but ${name} does not exist at ${source.sha.slice(0, 7)}; nothing was installed.`);
    }
  }
  return { cwd, pythonPath, root };
}
