import { describe, expect, it } from "vitest";
import { DROPPED_CONNECTION, httpStatusOf, isDroppedConnection, isRetryableStatus } from "../../src/storage/transient-error.js";

describe("transient-error", () => {
  it("reads the status of AWS SDK and gaxios errors, and nothing from a system error code", () => {
    expect(httpStatusOf({ name: "SlowDown", $metadata: { httpStatusCode: 503 } })).toBe(503);
    expect(httpStatusOf({ response: { status: 429 } })).toBe(429);
    expect(httpStatusOf({ code: "403" })).toBe(403);
    expect(httpStatusOf(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }))).toBeUndefined();
    expect(httpStatusOf(undefined)).toBeUndefined();
  });

  it("retries 5xx and 429 only", () => {
    expect([500, 503, 429].map(isRetryableStatus)).toEqual([true, true, true]);
    expect([400, 403, 404].map(isRetryableStatus)).toEqual([false, false, false]);
  });

  it("knows a dropped connection by its words", () => {
    expect(DROPPED_CONNECTION.test("read ECONNRESET")).toBe(true);
    expect(DROPPED_CONNECTION.test("Premature close")).toBe(true);
    expect(DROPPED_CONNECTION.test("NoSuchBucket")).toBe(false);
  });

  it("knows a dropped connection by its message or by its code, as a response cut mid-body gives it", () => {
    expect(isDroppedConnection(new Error("socket hang up"))).toBe(true);
    expect(isDroppedConnection(Object.assign(new Error("aborted"), { code: "ECONNRESET" }))).toBe(true);
    expect(isDroppedConnection({ message: "read ETIMEDOUT" })).toBe(true);
    expect(isDroppedConnection("write EPIPE")).toBe(true);
    expect(isDroppedConnection(Object.assign(new Error("aborted"), { code: "ERR_INVALID_ARG" }))).toBe(false);
    expect(isDroppedConnection(new Error("Backend Error"))).toBe(false);
  });
});
