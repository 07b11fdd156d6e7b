import { mapBatchEvent } from "../../src/compute/map-batch-event.js";
import type { JobStateListener } from "../../src/compute/compute.js";

export interface BatchEventsHandlerOptions {
  /**
   * The reporter the local backend subscribes too, so Batch and local runs report through the
   * same code. Loaded once per container, and again after a failure.
   */
  loadReporter: () => Promise<JobStateListener>;
  log?: { info: (message: string) => void; error: (message: string) => void };
}

/** What the handler did with one event; returned so the invocation's log and tests can see it. */
export type BatchEventOutcome = { outcome: "reported"; runId: string; status: string } | { outcome: "ignored"; reason: string } | { outcome: "invalid"; message: string };

/**
 * The EventBridge "Batch Job State Change" handler. An event that is not an nbtrain job is
 * ignored; a malformed one is logged and dropped, since retrying cannot fix it; a reporting
 * failure is thrown, so Lambda retries the event.
 */
export function createBatchEventsHandler(options: BatchEventsHandlerOptions): (event: unknown) => Promise<BatchEventOutcome> {
  const log = options.log ?? { info: (m: string) => console.log(m), error: (m: string) => console.error(m) };
  let reporter: Promise<JobStateListener> | undefined;
  const getReporter = (): Promise<JobStateListener> => {
    if (!reporter) {
      reporter = options.loadReporter();
      reporter.catch(() => (reporter = undefined));
    }
    return reporter;
  };

  return async (event) => {
    const mapped = mapBatchEvent(event);
    if (mapped.kind === "ignored") {
      log.info(`batch-events: ignored: ${mapped.reason}`);
      return { outcome: "ignored", reason: mapped.reason };
    }
    if (mapped.kind === "invalid") {
      log.error(`batch-events: dropped a malformed event: ${mapped.message}`);
      return { outcome: "invalid", message: mapped.message };
    }
    const report = await getReporter();
    await report(mapped.event);
    log.info(`batch-events: reported run ${mapped.event.runId} ${mapped.event.status} (attempt ${mapped.event.attempt})`);
    return { outcome: "reported", runId: mapped.event.runId, status: mapped.event.status };
  };
}
