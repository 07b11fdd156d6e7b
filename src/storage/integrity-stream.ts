import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { StoreError } from "./store-error.js";

/** Size and sha256 (hex) of the bytes seen so far. */
export interface Digest {
  size: number;
  sha256: string;
}

/**
 * A pass-through stream that hashes and counts what flows through it. When `expected` is given it
 * errors at the end of the stream on a size or hash mismatch, so a consumer never mistakes a
 * truncated or corrupted object for a good one. `digest()` is valid once the stream has ended.
 */
export class IntegrityStream extends Transform {
  private readonly hash: Hash = createHash("sha256");
  // Only when asked for: Drive's server-side md5Checksum is the fallback check there.
  private readonly md5: Hash | undefined;
  private seen = 0; // not "size": lib-storage reads a body's `size` as its length
  private final: Digest | undefined;

  constructor(
    private readonly expected?: Partial<Digest> & { md5?: string },
    private readonly label = "object",
  ) {
    super();
    if (expected?.md5 !== undefined) this.md5 = createHash("md5");
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.expected?.size !== undefined && this.seen > this.expected.size) {
      callback(this.mismatch(`more than the expected ${this.expected.size} bytes`));
      return;
    }
    this.hash.update(chunk);
    this.md5?.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const sha256 = this.hash.digest("hex");
    this.final = { size: this.seen, sha256 };
    const expected = this.expected;
    if (expected?.size !== undefined && expected.size !== this.seen) {
      callback(this.mismatch(`${this.seen} bytes instead of ${expected.size}`));
    } else if (expected?.sha256 !== undefined && expected.sha256 !== sha256) {
      callback(this.mismatch(`sha256 ${sha256} instead of ${expected.sha256}`));
    } else if (this.md5 && expected?.md5 !== undefined && this.md5.digest("hex") !== expected.md5) {
      callback(this.mismatch(`an md5 other than ${expected.md5}`));
    } else {
      callback();
    }
  }

  /** The size and hash of everything that passed; throws if the stream has not ended. */
  digest(): Digest {
    if (!this.final) throw new Error("IntegrityStream.digest() called before the stream ended");
    return this.final;
  }

  private mismatch(what: string): StoreError {
    return new StoreError(
      "integrity",
      `Integrity check failed for ${this.label}: got ${what}. The object is corrupt or was cut short; write it again.`,
    );
  }
}
