import { createHash } from "node:crypto";
import { Readable } from "node:stream";

const BLOCK = 64 * 1024;

/** The block of a deterministic pattern: cheap to regenerate, never all one byte. */
function block(seed: number, index: number): Buffer {
  const out = Buffer.allocUnsafe(BLOCK);
  let x = (seed * 2654435761 + index * 40503 + 1) >>> 0;
  for (let i = 0; i < BLOCK; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  return out;
}

/** A stream of `size` deterministic bytes, generated as it is read (nothing kept in memory). */
export function patternStream(size: number, seed = 1): Readable {
  let index = 0;
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const chunk = block(seed, index++).subarray(0, Math.min(BLOCK, size - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

/** The sha256 of `patternStream(size, seed)`, computed by streaming it once. */
export async function patternSha256(size: number, seed = 1): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of patternStream(size, seed)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Reads a stream to its end and returns size and sha256, failing if the stream errors. */
export async function digestStream(stream: Readable): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest("hex") };
}
