import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the stand-in received: the Batch operation (from the REST path) and its JSON body. */
export interface BatchCall {
  operation: string;
  body: Record<string, unknown>;
}

export interface BatchStandin {
  /** `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL_BATCH`. */
  endpoint: string;
  calls: BatchCall[];
  close(): Promise<void>;
}

/**
 * AWS Batch's REST-JSON API on loopback, as far as the bot uses it: SubmitJob answers a job id,
 * ListJobs and DescribeJobs answer no jobs, TerminateJob succeeds. Every call is recorded, so a
 * test can show that a refused `/train` submitted nothing. The SDK reaches it through
 * `AWS_ENDPOINT_URL_BATCH`; requests are signed with dummy credentials that nothing checks.
 */
export async function startBatchStandin(): Promise<BatchStandin> {
  const calls: BatchCall[] = [];
  let next = 1;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const operation = (req.url ?? "").replace(/^\/v1\//u, "").split("?")[0]!;
      const text = Buffer.concat(chunks).toString("utf8");
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      calls.push({ operation, body });
      const answer: Record<string, unknown> =
        operation === "submitjob"
          ? { jobArn: `arn:aws:batch:eu-west-1:123456789012:job/job-${next}`, jobName: body.jobName, jobId: `job-${next++}` }
          : operation === "listjobs"
            ? { jobSummaryList: [] }
            : operation === "describejobs"
              ? { jobs: [] }
              : {};
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
