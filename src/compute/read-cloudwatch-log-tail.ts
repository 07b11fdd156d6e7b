import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { JobLogs } from "./compute.js";
import { redactSecrets } from "../util/redact-secrets.js";

/** Log events fetched for a failed run's report: the render shows at most 30 lines anyway. */
export const LOG_TAIL_EVENTS = 50;
/** Bytes of log text kept (the end of it), whatever the lines' lengths. */
export const LOG_TAIL_BYTES = 16 * 1024;

export interface CloudWatchLogTailOptions {
  /** A client for a region; tests may pass their own. Defaults to the SDK's client, imported lazily. */
  clientFor?: (region: string) => Promise<Pick<CloudWatchLogsClient, "send">>;
}

/**
 * Reads the last lines of a Batch job's CloudWatch log stream for the failure report:
 * `GetLogEvents` with `startFromHead: false` and a bounded `limit`, the text capped at
 * {@link LOG_TAIL_BYTES} and anything token-like redacted. It never throws: when the log cannot be
 * read (no permission, stream gone) it answers a one-line "log unavailable" note, so the report
 * still completes. The CloudWatch Logs client loads on the first failed run, not at cold start.
 */
export function readCloudWatchLogTail(options: CloudWatchLogTailOptions = {}): (logs: JobLogs) => Promise<string | null> {
  const clients = new Map<string, Promise<Pick<CloudWatchLogsClient, "send">>>();
  const clientFor = options.clientFor ?? defaultClient;
  return async (logs) => {
    if (logs.kind !== "cloudwatch") return null;
    try {
      let client = clients.get(logs.region);
      if (!client) {
        client = clientFor(logs.region);
        clients.set(logs.region, client);
        client.catch(() => clients.delete(logs.region));
      }
      const { GetLogEventsCommand } = await import("@aws-sdk/client-cloudwatch-logs");
      const output = await (await client).send(
        new GetLogEventsCommand({ logGroupName: logs.group, logStreamName: logs.stream, startFromHead: false, limit: LOG_TAIL_EVENTS }),
      );
      const text = (output.events ?? []).map((event) => (event.message ?? "").replace(/\r?\n$/u, "")).join("\n");
      return redactLogText(lastBytes(text, LOG_TAIL_BYTES));
    } catch (error) {
      // The error's name only: a message may echo request details, and the report is public to the repo.
      const name = error instanceof Error && /^[A-Za-z]+$/u.test(error.name) ? error.name : "an error";
      return `log unavailable (CloudWatch Logs GetLogEvents failed with ${name})`;
    }
  };
}

async function defaultClient(region: string): Promise<Pick<CloudWatchLogsClient, "send">> {
  const { CloudWatchLogsClient: Client } = await import("@aws-sdk/client-cloudwatch-logs");
  return new Client({ region });
}

/** The end of `text`, at most `max` UTF-8 bytes, starting on a whole line when one fits. */
function lastBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= max) return text;
  // Skip UTF-8 continuation bytes so the cut never splits a character.
  let start = bytes.length - max;
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start += 1;
  const tail = bytes.subarray(start).toString("utf8");
  const newline = tail.indexOf("\n");
  return newline === -1 ? tail : tail.slice(newline + 1);
}

/** GitHub tokens, JWTs and keys (redactSecrets), plus AWS key ids and `secret=…`-style assignments. */
function redactLogText(text: string): string {
  return redactSecrets(text)
    .replace(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/gu, "[REDACTED]")
    .replace(/\b([A-Za-z0-9_-]*(?:secret|password|passwd|token|api[_-]?key|access[_-]?key)[A-Za-z0-9_-]*["']?\s*[=:]\s*)["']?(?!\[REDACTED\])[^\s"',;]{4,}["']?/giu, "$1[REDACTED]");
}
