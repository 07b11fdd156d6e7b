import { setTimeout as sleep } from "node:timers/promises";
import { backoffMs } from "./retry-transient.js";

export interface ResumeOptions {
  /** The first response's body. */
  first: AsyncIterable<Buffer>;
  /** The object's size: a body that ends before it was cut. */
  size: number;
  /** Tries in all, the first get included. */
  attempts: number;
  backoff: { baseMs: number; capMs: number };
  isTransient: (error: unknown) => boolean;
  /** The rest of the object from `offset`; throws when the server does not answer with that range. */
  reopen: (offset: number) => Promise<AsyncIterable<Buffer>>;
  /** What to throw once the tries are spent; the last error when not given. */
  giveUp?: (error: unknown, failures: number, offset: number) => unknown;
}

/**
 * Streams a download, resuming with a ranged request where a dropped connection cut it, so a
 * multi-GB object survives a network blip. Callers check the whole against its hash (and pin the
 * version where the backend can), so a replaced object fails instead of being spliced.
 */
export async function* resumeDownload(options: ResumeOptions): AsyncGenerator<Buffer> {
  let body = options.first;
  let offset = 0;
  let failures = 0;
  for (;;) {
    try {
      for await (const chunk of body) {
        offset += chunk.length;
        yield chunk;
      }
      if (offset >= options.size) return;
      throw new Error(`connection closed after ${offset} of ${options.size} bytes`);
    } catch (error) {
      if (!options.isTransient(error) && !/connection closed/.test(String(error))) throw error;
      if (++failures >= options.attempts) throw options.giveUp ? options.giveUp(error, failures, offset) : error;
      await sleep(backoffMs(failures, options.backoff.baseMs, options.backoff.capMs));
      body = await options.reopen(offset);
    }
  }
}
