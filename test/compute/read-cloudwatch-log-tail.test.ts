import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { LOG_TAIL_BYTES, LOG_TAIL_EVENTS, readCloudWatchLogTail } from "../../src/compute/read-cloudwatch-log-tail.js";

const logsClient = mockClient(CloudWatchLogsClient);
const LOGS = { kind: "cloudwatch" as const, region: "eu-west-1", group: "/aws/batch/job", stream: "nbtrain-runner/default/eeee5555" };

beforeEach(() => logsClient.reset());

describe("readCloudWatchLogTail", () => {
  it("asks for the end of the job's stream with a bounded limit and joins the messages", async () => {
    logsClient.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: "epoch 1 loss 0.9\n" }, { timestamp: 2, message: "RuntimeError: CUDA out of memory" }] });
    expect(await readCloudWatchLogTail()(LOGS)).toBe("epoch 1 loss 0.9\nRuntimeError: CUDA out of memory");
    expect(logsClient.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input)).toEqual([
      { logGroupName: "/aws/batch/job", logStreamName: "nbtrain-runner/default/eeee5555", startFromHead: false, limit: LOG_TAIL_EVENTS },
    ]);
    expect(LOG_TAIL_EVENTS).toBe(50);
  });

  it("redacts token-like text before it reaches a check run", async () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxIn0.c2lnbmF0dXJl";
    logsClient.on(GetLogEventsCommand).resolves({
      events: [
        { message: "cloning with ghs_abcdefghijklmnopqrstuvwxyz0123456789" },
        { message: "Authorization: Bearer abcdef0123456789" },
        { message: `jwt ${jwt}` },
        { message: "AWS key AKIAABCDEFGHIJKLMNOP" },
        { message: "WANDB_API_KEY=wandb-0123456789abcdef done" },
        { message: 'config {"password": "hunter22-long"}' },
      ],
    });
    const tail = (await readCloudWatchLogTail()(LOGS))!;
    for (const secret of ["ghs_abcdefghijklmnopqrstuvwxyz0123456789", "abcdef0123456789", jwt, "AKIAABCDEFGHIJKLMNOP", "wandb-0123456789abcdef", "hunter22-long"]) expect(tail).not.toContain(secret);
    expect(tail.split("\n")).toHaveLength(6);
    expect(tail).toContain("WANDB_API_KEY=[REDACTED] done");
  });

  it("keeps at most LOG_TAIL_BYTES of the end, cut at a line boundary", async () => {
    const line = (i: number) => `${String(i).padStart(4, "0")} ${"é".repeat(500)}`;
    logsClient.on(GetLogEventsCommand).resolves({ events: Array.from({ length: 50 }, (_, i) => ({ message: line(i) })) });
    const tail = (await readCloudWatchLogTail()(LOGS))!;
    expect(Buffer.byteLength(tail, "utf8")).toBeLessThanOrEqual(LOG_TAIL_BYTES);
    const lines = tail.split("\n");
    expect(lines.at(-1)).toBe(line(49));
    expect(lines.every((text) => /^\d{4} é+$/u.test(text) && text.length === 505)).toBe(true);
  });

  it("degrades to a one-line note, naming the error but nothing from its message, when the log cannot be read", async () => {
    logsClient.on(GetLogEventsCommand).rejects(Object.assign(new Error("User arn:aws:iam::123456789012:role/x is not authorized"), { name: "AccessDeniedException" }));
    const tail = await readCloudWatchLogTail()(LOGS);
    expect(tail).toBe("log unavailable (CloudWatch Logs GetLogEvents failed with AccessDeniedException)");
  });

  it("creates one client per region, and answers null for a local log file without calling AWS", async () => {
    logsClient.on(GetLogEventsCommand).resolves({ events: [] });
    const regions: string[] = [];
    const read = readCloudWatchLogTail({
      clientFor: async (region) => {
        regions.push(region);
        return new CloudWatchLogsClient({ region });
      },
    });
    expect(await read({ kind: "file", path: "/tmp/x.log" })).toBeNull();
    await read(LOGS);
    await read({ ...LOGS, stream: "nbtrain-runner/default/ffff" });
    await read({ ...LOGS, region: "us-east-1" });
    expect(regions).toEqual(["eu-west-1", "us-east-1"]);
    expect(logsClient.commandCalls(GetLogEventsCommand)).toHaveLength(3);
  });
});
