import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Store } from "../storage/store.js";
import { checkpointManifestSchema, MANIFEST_KEY, type CheckpointManifest } from "./checkpoint-manifest.js";
import { hashFile } from "./hash-file.js";
import { readStoreJson } from "./read-store-json.js";

export interface RestoredCheckpoints {
  /** The manifest restored from, or null for a fresh run. */
  manifest: CheckpointManifest | null;
  /** Local size and mtime of each restored file, so the sync does not upload them again. */
  restored: Map<string, { size: number; mtimeMs: number; sha256: string; key: string }>;
}

/**
 * Restores exactly the files the latest manifest lists into `folder` (emptied first, so no stale
 * local file can pass for a checkpoint). Each file is verified against the manifest's size and
 * sha256 before it is moved into place. `store` is scoped to the run's prefix.
 */
export async function restoreCheckpoints(store: Store, folder: string): Promise<RestoredCheckpoints> {
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const restored: RestoredCheckpoints["restored"] = new Map();
  const raw = await readStoreJson(store, MANIFEST_KEY);
  if (raw === null) return { manifest: null, restored };
  const parsed = checkpointManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${MANIFEST_KEY} of this run is not an nbtrain manifest (${parsed.error.issues[0]?.message}); delete it to start the run over.`);
  }
  const manifest = parsed.data;
  for (const entry of manifest.files) {
    const target = path.join(folder, ...entry.path.split("/"));
    const partial = `${target}.nbtrain-restore`;
    await mkdir(path.dirname(target), { recursive: true });
    await pipeline(await store.get(entry.key), createWriteStream(partial));
    const actual = await hashFile(partial);
    if (actual.size !== entry.size || actual.sha256 !== entry.sha256) {
      await rm(partial, { force: true });
      throw new Error(
        `Checkpoint ${entry.path} (${entry.key}) does not match manifest ${manifest.sequence}: expected ${entry.size} bytes sha256 ${entry.sha256.slice(0, 12)}…, got ${actual.size} bytes ${actual.sha256.slice(0, 12)}…. The store lost or altered it.`,
      );
    }
    await rename(partial, target);
    const info = await stat(target);
    restored.set(entry.path, { size: info.size, mtimeMs: info.mtimeMs, sha256: entry.sha256, key: entry.key });
  }
  return { manifest, restored };
}
