/** Why a store operation failed, so callers can branch without parsing messages. */
export type StoreErrorCode =
  | "invalid-key"
  | "invalid-uri"
  | "not-found"
  | "integrity"
  | "conflict"
  | "credentials"
  | "unavailable";

/** An error raised by a store adapter; `code` is stable, `message` says what to do. */
export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
