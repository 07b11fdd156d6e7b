import { createWriteStream } from "node:fs";
import { copyFile, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { parseStoreUri } from "../storage/parse-store-uri.js";
import { scopeStore } from "../storage/scoped-store.js";
import type { Store } from "../storage/store.js";
import { StoreError } from "../storage/store-error.js";
import { RUN_FILES, runLayout } from "../runs/run-layout.js";
import { restoreCheckpoints } from "./restore-checkpoints.js";
import { RUN_ID_PATTERN } from "./run-spec.js";
import { RunInputError } from "./run-input-error.js";

/** Where a run's checkpoint folder starts from: another run in the same store, or a folder in a store. */
export type SeedSource = { kind: "run"; runId: string } | { kind: "folder"; uri: string };

/** `run:ID` names another run of the same repository; anything else is a store URI of a folder. */
export function parseSeedSource(text: string): SeedSource {
  if (text.startsWith("run:")) {
    const runId = text.slice(4);
    if (!RUN_ID_PATTERN.test(runId)) throw new RunInputError(`--from ${JSON.stringify(text)}: ${JSON.stringify(runId)} is not a run id.`);
    return { kind: "run", runId };
  }
  return { kind: "folder", uri: text };
}

export interface SeedDeps {
  /** The store the run lives in, not scoped: a `run:` source is read from its prefix there. */
  store: Store;
  owner: string;
  repo: string;
  /** Opens an s3:// or gdrive:// source's store (credentials come from the job's environment). */
  openStore: (uri: string) => Promise<Store>;
  /** Folder a relative file:// source resolves against. */
  cwd: string;
}

export interface Seeded {
  source: string;
  files: number;
  bytes: number;
}

/** A view that can only read: seeding must never write outside the new run's own prefix. */
function readOnly(store: Store): Store {
  const refuse = async (): Promise<never> => {
    throw new Error(`The checkpoint source ${store.uri} is read-only for nbtrain; nothing is written there.`);
  };
  return {
    uri: store.uri,
    get: (key) => store.get(key),
    head: (key) => store.head(key),
    list: (prefix) => store.list(prefix),
    ...(store.listSizes ? { listSizes: (prefix: string) => store.listSizes!(prefix) } : {}),
    put: refuse,
    create: refuse,
    delete: refuse,
  };
}

/**
 * Fills the empty `folder` (the new run's checkpoint_dir) with a copy of the source: every file of
 * a folder source, or the files of another run's latest manifest (and its metrics.jsonl into
 * `metricsFile`). The source is only read. Returns what was copied; a source with no files is an
 * input error, since a run asked to start from it would silently start from scratch.
 */
export async function seedCheckpoints(text: string, folder: string, metricsFile: string, deps: SeedDeps): Promise<Seeded> {
  const source = parseSeedSource(text);
  if (source.kind === "run") {
    const other = readOnly(scopeStore(deps.store, runLayout.prefix({ owner: deps.owner, repo: deps.repo, runId: source.runId })));
    if (!(await other.head(RUN_FILES.manifest))) {
      throw new RunInputError(`--from run:${source.runId}: that run has no stored checkpoint in ${deps.store.uri}; name a run that saved one.`);
    }
    const restored = await restoreCheckpoints(other, folder);
    if (await other.head(RUN_FILES.metrics)) {
      await mkdir(path.dirname(metricsFile), { recursive: true });
      await pipeline(await other.get(RUN_FILES.metrics), createWriteStream(metricsFile));
    }
    const files = restored.manifest?.files ?? [];
    return { source: `run:${source.runId}`, files: files.length, bytes: files.reduce((sum, file) => sum + file.size, 0) };
  }
  const location = parseStoreUri(source.uri);
  if (location.kind === "file") return copyLocalFolder(path.resolve(deps.cwd, location.path), folder);
  const store = readOnly(await deps.openStore(source.uri));
  let current: string | undefined;
  try {
    // Each object is checked as `get` streams it, so its hash is not needed first: one download each.
    const objects = store.listSizes ? await store.listSizes("") : await store.list("");
    if (objects.length === 0) {
      throw new RunInputError(`--from ${store.uri}: the folder is empty or does not exist; point it at the folder your notebook saved its checkpoints to.`);
    }
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    let bytes = 0;
    for (const object of objects) {
      current = object.key;
      const target = path.join(folder, ...object.key.split("/"));
      const partial = `${target}.nbtrain-restore`;
      await mkdir(path.dirname(target), { recursive: true });
      // The store's stream checks size and hash as it goes, so a torn copy fails here.
      await pipeline(await store.get(object.key), createWriteStream(partial));
      await rename(partial, target);
      bytes += object.size;
    }
    return { source: store.uri, files: objects.length, bytes };
  } catch (error) {
    // No part of a failed copy stays behind to pass for a checkpoint.
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    throw error instanceof RunInputError ? error : seedFailure(store.uri, current, error);
  }
}

/**
 * Says which source and file failed, and what to do: the store's own words speak of its own
 * objects ("write it again"), and a dropped connection surfaces as a bare "aborted" or "terminated".
 */
function seedFailure(uri: string, key: string | undefined, error: unknown): StoreError {
  const what = key === undefined ? "reading the folder" : `copying "${key}"`;
  const code = error instanceof StoreError ? error.code : "unavailable";
  const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/u, "");
  const errno = (error as { code?: unknown } | undefined)?.code;
  const reason =
    code === "integrity"
      ? "the bytes that arrived do not match the size or checksum the store records (the file is damaged, or the download was cut short)"
      : typeof errno === "string" && !(error instanceof StoreError) && !message.includes(errno)
        ? `${message} (${errno})`
        : message;
  const advice =
    code === "credentials"
      ? "Fix the credentials, then train again."
      : "No training started from a partial copy; train again, and if this repeats, check the files in that folder (save the checkpoint again if one is damaged).";
  return new StoreError(code, `--from ${uri}: ${what} failed: ${reason}. ${advice}`, { cause: error });
}

/**
 * A local folder is read with plain file calls, not through the file store: the store would keep
 * its hash sidecars inside the folder, and the source must stay exactly as it was.
 */
async function copyLocalFolder(source: string, folder: string): Promise<Seeded> {
  const info = await stat(source).catch(() => null);
  if (!info?.isDirectory()) throw new RunInputError(`--from ${source}: not a folder; point it at the folder your notebook saved its checkpoints to.`);
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  let files = 0;
  let bytes = 0;
  const walk = async (from: string, to: string): Promise<void> => {
    for (const entry of await readdir(from, { withFileTypes: true })) {
      const src = path.join(from, entry.name);
      const dst = path.join(to, entry.name);
      if (entry.isDirectory()) {
        await mkdir(dst, { recursive: true });
        await walk(src, dst);
      } else if (entry.isFile()) {
        await copyFile(src, dst);
        files++;
        bytes += (await stat(dst)).size;
      }
    }
  };
  await walk(source, folder);
  if (files === 0) throw new RunInputError(`--from ${source}: the folder is empty; point it at the folder your notebook saved its checkpoints to.`);
  return { source: `file://${source}`, files, bytes };
}
