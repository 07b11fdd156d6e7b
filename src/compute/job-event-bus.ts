import type { JobStateEvent, JobStateListener } from "./compute.js";

/**
 * Delivers job state events to listeners strictly in order, awaiting each listener, so that a
 * report never completes a check run before the `in_progress` update lands. A listener that
 * throws is reported to `onError` and does not stop delivery.
 */
export class JobEventBus {
  private readonly listeners = new Set<JobStateListener>();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (error: unknown, event: JobStateEvent) => void = () => {}) {}

  subscribe(listener: JobStateListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Queues the event behind earlier ones; the promise settles once every listener has seen it. */
  emit(event: JobStateEvent): Promise<void> {
    const frozen = Object.freeze({ ...event });
    this.tail = this.tail.then(async () => {
      for (const listener of [...this.listeners]) {
        try {
          await listener(frozen);
        } catch (error) {
          this.onError(error, frozen);
        }
      }
    });
    return this.tail;
  }

  /** Settles when every event emitted so far has been delivered. */
  drain(): Promise<void> {
    return this.tail;
  }
}
