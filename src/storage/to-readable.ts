import { Readable } from "node:stream";

/** Wraps bytes as a stream so adapters have one code path for both body kinds. */
export function toReadable(body: Readable | Uint8Array): Readable {
  if (body instanceof Uint8Array) {
    // One chunk, no copy: Readable.from would iterate a Buffer byte by byte.
    return Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]);
  }
  return body;
}
