/**
 * What the store adapters agree on about failed requests. Each adapter adds what only its
 * backend says (S3's `SlowDown`, Drive's rate-limit reasons on a 403) and turns the rest into
 * its own clear errors.
 */

/** The HTTP status of an SDK error: the AWS SDK's `$metadata`, or gaxios' `response.status`, `status` or `code`. */
export function httpStatusOf(error: unknown): number | undefined {
  const e = error as { $metadata?: { httpStatusCode?: unknown }; status?: unknown; code?: unknown; response?: { status?: unknown } } | undefined;
  for (const value of [e?.$metadata?.httpStatusCode, e?.response?.status, e?.status, e?.code]) {
    if (typeof value === "number") return value;
    if (typeof value === "string" && /^\d{3}$/u.test(value)) return Number(value);
  }
  return undefined;
}

/** 5xx and 429: the server asks to be tried again later. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/** A dropped or timed-out connection, in the words Node and the HTTP clients use for it. */
export const DROPPED_CONNECTION = /ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|premature close/iu;

/**
 * Whether an error is a dropped or timed-out connection, by its message or its code: a response
 * cut mid-body says only "aborted", and its code says why.
 */
export function isDroppedConnection(error: unknown): boolean {
  const e = error as { message?: unknown; code?: unknown } | undefined;
  const message = typeof e?.message === "string" ? e.message : String(error);
  return DROPPED_CONNECTION.test(message) || (typeof e?.code === "string" && DROPPED_CONNECTION.test(e.code));
}
