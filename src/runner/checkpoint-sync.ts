import { createReadStream } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { RUN_FILES, runLayout } from "../runs/run-layout.js";
import { normaliseKey } from "../storage/normalise-key.js";
import type { Store } from "../storage/store.js";
import { MANIFEST_KEY, type CheckpointManifest, type ManifestEntry } from "./checkpoint-manifest.js";
import { hashFile } from "./hash-file.js";

/** Files a notebook writes before an atomic rename; they are never uploaded. */
const TEMPORARY = /(\.tmp|\.part|\.partial|\.nbtrain-restore)$/;

interface Seen {
  size: number;
  mtimeMs: number;
}

interface Uploaded extends Seen {
  sha256: string;
  key: string;
}

export interface SyncReport {
  /** The manifest sequence written by this pass, or null when nothing new became consistent. */
  sequence: number | null;
  uploadedFiles: number;
  uploadedBytes: number;
  /** Something changed or failed and waits for a confirming scan; scan again soon rather than after a full interval. */
  pending: boolean;
}

export interface CheckpointSyncOptions {
  /** Store scoped to the run's prefix. */
  store: Store;
  folder: string;
  runId: string;
  attempt: number;
  /** The manifest restored at start; its files are known to be in the store already. */
  base: { sequence: number; restored: Map<string, Uploaded> } | null;
  /** Extra files uploaded just before each manifest so they match it (metrics.jsonl). */
  companions?: Array<{ file: string; key: string }>;
  onError?: (error: unknown) => void;
}

/**
 * Keeps a run's checkpoint folder mirrored in the store.
 *
 * `pass()` scans the folder; a file is uploaded once its size and mtime are unchanged across two
 * scans (the notebook has finished writing it). A manifest is written only when the whole folder
 * was quiet across the two scans and every file is uploaded, so it names one consistent set of
 * files, and it is written last. `pass({ final: true })` runs after the kernel is stopped: nothing
 * writes any more, so every file counts as stable.
 */
export class CheckpointSync {
  private previousScan = new Map<string, Seen>();
  private readonly uploaded = new Map<string, Uploaded>();
  private nextSequence: number;
  private dirty = false;
  private lastManifest: CheckpointManifest | null = null;
  private previousKeys = new Set<string>();
  private companionState = new Map<string, string>();

  constructor(private readonly options: CheckpointSyncOptions) {
    this.nextSequence = (options.base?.sequence ?? 0) + 1;
    for (const [file, entry] of options.base?.restored ?? []) {
      this.uploaded.set(file, entry);
      this.previousKeys.add(entry.key);
    }
  }

  /** The sequence of the latest manifest this run wrote or restored, 0 when none. */
  get latestSequence(): number {
    return this.nextSequence - 1;
  }

  get manifest(): CheckpointManifest | null {
    return this.lastManifest;
  }

  async pass(options: { final?: boolean } = {}): Promise<SyncReport> {
    const report: SyncReport = { sequence: null, uploadedFiles: 0, uploadedBytes: 0, pending: false };
    const scan = await this.scan();
    const previous = options.final ? scan : this.previousScan;
    let quiet = scan.size === previous.size;
    for (const [file, seen] of scan) {
      const before = previous.get(file);
      if (!before || before.size !== seen.size || before.mtimeMs !== seen.mtimeMs) {
        quiet = false;
        continue;
      }
      try {
        const uploadedNow = await this.uploadIfChanged(file, seen);
        if (uploadedNow === null) quiet = false;
        else if (uploadedNow > 0) {
          report.uploadedFiles++;
          report.uploadedBytes += uploadedNow;
        }
      } catch (error) {
        quiet = false;
        this.options.onError?.(error);
      }
    }
    for (const file of [...this.uploaded.keys()]) {
      if (!scan.has(file)) {
        this.uploaded.delete(file);
        this.dirty = true;
      }
    }
    this.previousScan = scan;
    report.pending = !quiet;
    if (quiet && this.dirty) {
      try {
        report.sequence = await this.writeManifest(options.final === true);
      } catch (error) {
        report.pending = true;
        this.options.onError?.(error);
      }
    }
    return report;
  }

  /** Returns bytes uploaded (0 when the store already has this content), or null when the file moved under us. */
  private async uploadIfChanged(file: string, seen: Seen): Promise<number | null> {
    const known = this.uploaded.get(file);
    if (known && known.size === seen.size && known.mtimeMs === seen.mtimeMs) return 0;
    const local = path.join(this.options.folder, ...file.split("/"));
    const { sha256, size } = await hashFile(local);
    const after = await stat(local);
    if (size !== seen.size || after.size !== seen.size || after.mtimeMs !== seen.mtimeMs) return null;
    if (known && known.sha256 === sha256) {
      this.uploaded.set(file, { ...known, mtimeMs: seen.mtimeMs });
      return 0;
    }
    const key = `${runLayout.checkpointVersion(this.nextSequence)}${file}`;
    // The store checks the bytes against size and sha256, so a file rewritten mid-upload fails here.
    await this.options.store.put(key, createReadStream(local), { size, sha256 });
    this.uploaded.set(file, { size, mtimeMs: seen.mtimeMs, sha256, key });
    this.dirty = true;
    return size;
  }

  private async writeManifest(final: boolean): Promise<number> {
    for (const companion of this.options.companions ?? []) {
      // A companion is a convenience beside the checkpoint: failing to store it must not hold the
      // checkpoint back. It is tried again at the next manifest.
      await this.uploadCompanion(companion, final).catch((error: unknown) => this.options.onError?.(error));
    }
    const sequence = this.nextSequence;
    const files: ManifestEntry[] = [...this.uploaded]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([file, entry]) => ({ path: file, key: entry.key, size: entry.size, sha256: entry.sha256 }));
    const manifest: CheckpointManifest = {
      format: "nbtrain-manifest/1",
      run_id: this.options.runId,
      sequence,
      attempt: this.options.attempt,
      written_at: new Date().toISOString(),
      files,
    };
    await this.options.store.put(MANIFEST_KEY, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), { contentType: "application/json" });
    this.nextSequence++;
    this.dirty = false;
    this.lastManifest = manifest;
    await this.collectGarbage(new Set(files.map((entry) => entry.key)));
    return sequence;
  }

  /**
   * Uploads an append-only log (metrics.jsonl) that the notebook may be writing to right now: only
   * its complete lines as they stand, a prefix no later append changes, so the bytes hashed are
   * the bytes sent. After the kernel stopped (`final`), a last line without a newline goes too.
   */
  private async uploadCompanion({ file, key }: { file: string; key: string }, final: boolean): Promise<void> {
    let info;
    try {
      info = await stat(file);
    } catch {
      return;
    }
    const end = final ? info.size : await completeLinesEnd(file, info.size);
    const stamp = `${end}:${info.mtimeMs}`;
    if (this.companionState.get(key) === stamp) return;
    const { sha256, size } = await hashFile(file, end);
    const body = size === 0 ? new Uint8Array(0) : createReadStream(file, { start: 0, end: size - 1 });
    await this.options.store.put(key, body, { size, sha256 });
    this.companionState.set(key, stamp);
  }

  /** Deletes checkpoint objects named by neither the new manifest nor the one before it. */
  private async collectGarbage(current: Set<string>): Promise<void> {
    const keep = new Set([...current, ...this.previousKeys]);
    this.previousKeys = current;
    try {
      for (const object of await this.options.store.list(RUN_FILES.checkpoints)) {
        if (!keep.has(object.key) && !this.isPendingUpload(object.key)) await this.options.store.delete(object.key);
      }
    } catch (error) {
      // Leftovers cost space, never correctness; the next manifest tries again.
      this.options.onError?.(error);
    }
  }

  private isPendingUpload(key: string): boolean {
    return key.startsWith(runLayout.checkpointVersion(this.nextSequence));
  }

  private async scan(): Promise<Map<string, Seen>> {
    const found = new Map<string, Seen>();
    const walk = async (dir: string, prefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full, relative);
        else if (entry.isFile() && !TEMPORARY.test(entry.name)) {
          try {
            if (normaliseKey(relative) !== relative) continue;
          } catch {
            this.options.onError?.(new Error(`Checkpoint file ${JSON.stringify(relative)} has a name the store cannot hold; it is not synced.`));
            continue;
          }
          try {
            const info = await stat(full);
            found.set(relative, { size: info.size, mtimeMs: info.mtimeMs });
          } catch {
            // Deleted between readdir and stat: it is simply not there.
          }
        }
      }
    };
    await walk(this.options.folder, "");
    return found;
  }
}

/** Where the last complete line of the first `size` bytes of `file` ends (after its newline); 0 if none. */
async function completeLinesEnd(file: string, size: number): Promise<number> {
  const handle = await open(file, "r");
  try {
    const chunk = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline >= 0) return start + newline + 1;
      end = start;
    }
    return 0;
  } finally {
    await handle.close();
  }
}
