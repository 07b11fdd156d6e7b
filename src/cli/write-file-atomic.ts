import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * Replaces a file's contents all at once: the new bytes go to a temporary file in the same folder,
 * reach the disk, and are renamed over the old file, so that a crash or a full disk leaves either the
 * old notebook or the new one, never half of one. The file keeps its permission bits.
 */
export function writeFileAtomic(file: string, text: string): void {
  const mode = statSync(file).mode & 0o7777;
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", mode);
  try {
    const bytes = Buffer.from(text, "utf8");
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, file);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    try {
      unlinkSync(temp);
    } catch {
      // never created or already renamed
    }
    throw error;
  }
}
