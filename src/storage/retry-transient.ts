import { setTimeout as sleep } from "node:timers/promises";

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Whether an error is worth another try (5xx, throttling, a dropped connection). */
  isTransient: (error: unknown) => boolean;
  /** Delay before try n+1 is about `baseMs * 2^n`, capped, with jitter so that parallel puts spread out. */
  baseMs: number;
  capMs: number;
}

/** The delay before try `attempt + 1`: exponential, capped, with jitter so that parallel requests spread out. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** attempt) * (0.5 + Math.random() / 2);
}

/** Runs `operation`, retrying transient failures with jittered exponential backoff; the last error is rethrown. */
export async function retryTransient<T>(policy: RetryPolicy, operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= policy.attempts || !policy.isTransient(error)) throw error;
      await sleep(backoffMs(attempt, policy.baseMs, policy.capMs));
    }
  }
}
