/** A backend could not do what was asked. The message says what failed and what to check. */
export class ComputeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ComputeError";
  }
}
