import { mkdtemp, rm } from "node:fs/promises";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

/** What a loopback S3 test needs: where to connect, and a way to stop everything. */
export interface S3Server {
  /** `http://127.0.0.1:PORT` of s3rver itself. */
  endpoint: string;
  /** The bucket created at start. */
  bucket: string;
  /** Folder holding s3rver's data; removed by `close`. */
  directory: string;
  close(): Promise<void>;
}

export interface FaultPlan {
  /** Fraction of requests (0..1) answered with a 503 (half `ServiceUnavailable`, half `SlowDown`). */
  failRate?: number;
  /**
   * Cut the connection of the first request whose body passes this many bytes, forwarding only
   * that much upstream. Then, unless `recover` is set, refuse every later request (as a network
   * that went down would); with `recover`, only that one connection is lost.
   */
  cutAfterBytes?: number;
  recover?: boolean;
  /** Cut responses (downloads) after this many body bytes, once per response, for the next N responses. */
  cutResponsesAfterBytes?: { bytes: number; count: number };
}

/** A fault-injecting HTTP proxy in front of s3rver, with counters a test can assert on. */
export interface FaultProxy {
  endpoint: string;
  plan: FaultPlan;
  stats: { requests: number; failed: number; cut: number; refused: number; cutResponses: number; uploadParts: number };
  /** Method, URL and x-amz-content-sha256 of every request, in arrival order. */
  log: { method: string; url: string; contentSha256: string | undefined }[];
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  httpServer: http.Server;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

/** Starts s3rver on 127.0.0.1 with a random port, storing into a fresh temp folder. */
export async function startS3Server(bucket = "nbtrain-test"): Promise<S3Server> {
  // s3rver is CommonJS without types.
  const S3rver = createRequire(import.meta.url)("s3rver") as S3rverConstructor;
  const directory = await mkdtemp(path.join(tmpdir(), "nbtrain-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    directory,
    async close() {
      server.httpServer.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Test credentials for s3rver, which accepts these (and only these) by default. */
export const S3RVER_ENV: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: "S3RVER",
  AWS_SECRET_ACCESS_KEY: "S3RVER",
  AWS_REGION: "us-east-1",
};

/** A small deterministic generator, so a failing fault test can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
}

/**
 * Starts a proxy on 127.0.0.1 that forwards to `upstream` and injects the faults of `plan`
 * (which a test may change while it runs).
 */
export async function startFaultProxy(upstream: string, plan: FaultPlan = {}, seed = 42): Promise<FaultProxy> {
  const target = new URL(upstream);
  const random = seeded(seed);
  const stats = { requests: 0, failed: 0, cut: 0, refused: 0, cutResponses: 0, uploadParts: 0 };
  let cutDone = false;
  const log: FaultProxy["log"] = [];
  let down = false;
  const proxy: { plan: FaultPlan } = { plan };

  const fail = (req: IncomingMessage, res: ServerResponse) => {
    // Drain the body first so the client sees a clean 503, as S3 sends it, not a reset.
    req.resume();
    req.on("end", () => {
      const slow = stats.failed % 2 === 1;
      stats.failed++;
      const body = slow
        ? errorXml("SlowDown", "Please reduce your request rate.")
        : errorXml("ServiceUnavailable", "Service is unable to handle request.");
      res.writeHead(503, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  };

  const server = http.createServer((req, res) => {
    stats.requests++;
    const sha = req.headers["x-amz-content-sha256"];
    log.push({ method: req.method ?? "", url: req.url ?? "", contentSha256: Array.isArray(sha) ? sha[0] : sha });
    if (req.method === "PUT" && /[?&]partNumber=/.test(req.url ?? "")) stats.uploadParts++;
    if (down) {
      stats.refused++;
      req.socket.destroy();
      return;
    }
    if ((proxy.plan.failRate ?? 0) > 0 && random() < (proxy.plan.failRate ?? 0)) {
      fail(req, res);
      return;
    }
    const upstreamReq = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        const cutPlan = proxy.plan.cutResponsesAfterBytes;
        const length = Number(upstreamRes.headers["content-length"] ?? 0);
        if (cutPlan && cutPlan.count > 0 && req.method === "GET" && length > cutPlan.bytes) {
          cutPlan.count--;
          stats.cutResponses++;
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          let sent = 0;
          upstreamRes.on("data", (chunk: Buffer) => {
            if (sent + chunk.length >= cutPlan.bytes) {
              res.write(chunk.subarray(0, cutPlan.bytes - sent));
              upstreamRes.destroy();
              res.socket?.destroy();
              return;
            }
            sent += chunk.length;
            res.write(chunk);
          });
          return;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on("error", () => res.socket?.destroy());
    const cutAfter = proxy.plan.cutAfterBytes;
    if (cutAfter === undefined || cutDone) {
      req.pipe(upstreamReq);
      return;
    }
    let forwarded = 0;
    let cut = false;
    req.on("data", (chunk: Buffer) => {
      if (cut) return;
      if (down) {
        // Another connection took the network down: this one dies with it.
        cut = true;
        upstreamReq.destroy();
        req.socket.destroy();
        return;
      }
      if (!cutDone && forwarded + chunk.length > cutAfter) {
        // The network dies mid-upload: upstream gets a truncated body, the client a reset.
        upstreamReq.write(chunk.subarray(0, cutAfter - forwarded));
        cutDone = true;
        down = !proxy.plan.recover;
        cut = true;
        stats.cut++;
        upstreamReq.destroy();
        req.socket.destroy();
        return;
      }
      forwarded += chunk.length;
      upstreamReq.write(chunk);
    });
    req.on("end", () => {
      if (!cut) upstreamReq.end();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get plan() {
      return proxy.plan;
    },
    set plan(next: FaultPlan) {
      proxy.plan = next;
      down = false;
      cutDone = false;
    },
    stats,
    log,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
