import { createServer } from "node:net";

/** A TCP port on loopback that is free right now, for a server a test starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  /** What to show when the wait times out, e.g. the tail of a server's output. */
  context: () => string;
}

/** Polls `probe` until it returns something truthy; a timeout fails with `what` and the context. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; server output:\n${options.context()}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
