import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/**
 * sha256 (hex) and size of a file, or of its first `length` bytes, streamed so a multi-GB
 * checkpoint costs no memory.
 */
export async function hashFile(file: string, length?: number): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  if (length === 0) return { sha256: hash.digest("hex"), size };
  const range = length === undefined ? {} : { start: 0, end: length - 1 };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, ...range })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}
