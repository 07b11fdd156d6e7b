import { SourceError } from "./source-error.js";

/**
 * Reads exact byte counts from a stream of chunks, without joining more than a tar block at a
 * time: file bodies pass through as the chunks they arrived in.
 */
export class ByteReader {
  private readonly queue: Buffer[] = [];
  private length = 0;
  private ended = false;
  /** Bytes consumed so far, for error messages. */
  offset = 0;

  constructor(private readonly source: AsyncIterator<Buffer | Uint8Array>) {}

  private async fill(wanted: number): Promise<boolean> {
    while (this.length < wanted && !this.ended) {
      const next = await this.source.next();
      if (next.done) this.ended = true;
      else if (next.value.length > 0) {
        const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
        this.queue.push(chunk);
        this.length += chunk.length;
      }
    }
    return this.length >= wanted;
  }

  private take(count: number): Buffer {
    const first = this.queue[0]!;
    let out: Buffer;
    if (first.length > count) {
      out = first.subarray(0, count);
      this.queue[0] = first.subarray(count);
    } else {
      out = first;
      this.queue.shift();
    }
    this.length -= out.length;
    this.offset += out.length;
    return out;
  }

  /** True when the stream has no more bytes. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** Exactly `count` bytes; a stream that ends first is a truncated archive. */
  async read(count: number): Promise<Buffer> {
    if (!(await this.fill(count))) throw truncated(this.offset + this.length);
    const parts: Buffer[] = [];
    let left = count;
    while (left > 0) {
      const part = this.take(left);
      parts.push(part);
      left -= part.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** `count` bytes as the chunks they arrive in. */
  async *chunks(count: number): AsyncGenerator<Buffer> {
    let left = count;
    while (left > 0) {
      if (!(await this.fill(1))) throw truncated(this.offset);
      const part = this.take(Math.min(left, this.queue[0]!.length));
      left -= part.length;
      yield part;
    }
  }

  async skip(count: number): Promise<void> {
    for await (const _ of this.chunks(count)) {
      // Discarded: tar padding.
    }
  }
}

function truncated(at: number): SourceError {
  return new SourceError("corrupt-archive", `The source archive ends early (after ${at} bytes of tar data); it was cut off in transit. Nothing of it was used.`);
}
