import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** sha256 (hex) and size of a file, streamed so a multi-GB checkpoint costs no memory. */
export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}
