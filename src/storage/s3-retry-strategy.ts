/** What the SDK's retry middleware tells a strategy about a failed attempt. */
interface RetryErrorInfo {
  errorType: "TRANSIENT" | "THROTTLING" | "SERVER_ERROR" | "CLIENT_ERROR";
  retryAfterHint?: Date;
}

interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

const MAX_DELAY_MS = 20_000;

/**
 * A retry strategy for the S3 client (the SDK's RetryStrategyV2 shape): up to `maxAttempts`
 * tries on 5xx, throttling (`SlowDown`) and network errors, with jittered exponential backoff
 * that starts slower for throttling and honours Retry-After. Unlike the SDK's standard strategy
 * it has no client-wide retry quota: a long training run against a flaky endpoint must not run
 * out of retries after a few thousand requests, since every request here is worth finishing.
 */
export function createS3RetryStrategy(maxAttempts: number, random: () => number = Math.random) {
  const token = (count: number, delay: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => delay });
  return {
    mode: "standard",
    async acquireInitialRetryToken(_scope: string): Promise<RetryToken> {
      return token(0, 0);
    },
    async refreshRetryTokenForRetry(previous: RetryToken, error: RetryErrorInfo): Promise<RetryToken> {
      const count = previous.getRetryCount() + 1;
      if (error.errorType === "CLIENT_ERROR" || count >= maxAttempts) {
        throw new Error("No retry token available"); // the middleware then rethrows the request's own error
      }
      const base = error.errorType === "THROTTLING" ? 500 : 100;
      let delay = Math.min(MAX_DELAY_MS, base * 2 ** (count - 1)) * (0.5 + random() / 2);
      const hint = error.retryAfterHint ? error.retryAfterHint.getTime() - Date.now() : 0;
      if (hint > delay) delay = Math.min(hint, MAX_DELAY_MS * 3);
      return token(count, Math.round(delay));
    },
    recordSuccess(_token: RetryToken): void {
      // no quota to refill
    },
  };
}
