import { describe, expect, it } from "vitest";
import { createS3RetryStrategy } from "../../src/storage/s3-retry-strategy.js";

describe("createS3RetryStrategy", () => {
  it("retries 5xx, throttling and network errors up to maxAttempts, then gives up", async () => {
    const strategy = createS3RetryStrategy(4, () => 1);
    let token = await strategy.acquireInitialRetryToken("");
    const delays: number[] = [];
    for (const errorType of ["SERVER_ERROR", "TRANSIENT", "THROTTLING"] as const) {
      token = await strategy.refreshRetryTokenForRetry(token, { errorType });
      delays.push(token.getRetryDelay());
    }
    expect(token.getRetryCount()).toBe(3);
    expect(delays).toEqual([100, 200, 2000]); // throttling backs off from a higher base
    await expect(strategy.refreshRetryTokenForRetry(token, { errorType: "SERVER_ERROR" })).rejects.toThrow(/No retry token/);
  });

  it("never retries a client error", async () => {
    const strategy = createS3RetryStrategy(10);
    await expect(strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(""), { errorType: "CLIENT_ERROR" })).rejects.toThrow();
  });

  it("has no shared quota: thousands of failing requests each still get their retries", async () => {
    const strategy = createS3RetryStrategy(3, () => 0);
    for (let request = 0; request < 5000; request++) {
      const first = await strategy.acquireInitialRetryToken("");
      const retried = await strategy.refreshRetryTokenForRetry(first, { errorType: "THROTTLING" });
      expect(retried.getRetryCount()).toBe(1);
    }
  });

  it("waits at least as long as a Retry-After hint asks", async () => {
    const strategy = createS3RetryStrategy(3, () => 0);
    const token = await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(""), {
      errorType: "THROTTLING",
      retryAfterHint: new Date(Date.now() + 5000),
    });
    expect(token.getRetryDelay()).toBeGreaterThan(4000);
  });
});
