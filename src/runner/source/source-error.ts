/** Why a source snapshot failed; the runner turns it into the run's failure, the check run shows the message. */
export type SourceErrorCode =
  | "download-failed"
  | "not-found"
  | "unauthorized"
  | "too-large"
  | "unsafe-entry"
  | "wrong-commit"
  | "corrupt-archive"
  | "no-token";

/** A source snapshot refused or failed; `message` says what happened and what to do. */
export class SourceError extends Error {
  override readonly name = "SourceError";
  constructor(
    readonly code: SourceErrorCode,
    message: string,
    /** A download that may succeed when tried again (network, 5xx). */
    readonly retryable = false,
  ) {
    super(message);
  }
}
