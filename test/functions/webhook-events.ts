import { createHmac, randomUUID } from "node:crypto";

/** The webhook secret the tests sign with. */
export const SECRET = "whsec-test-0b1c2d3e4f";

export function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** GitHub's delivery headers, in the case GitHub sends them. */
export function githubHeaders(name: string, body: string, id: string = randomUUID()): Record<string, string> {
  return {
    Accept: "*/*",
    "Content-Type": "application/json",
    "User-Agent": "GitHub-Hookshot/a1b2c3d",
    "X-GitHub-Delivery": id,
    "X-GitHub-Event": name,
    "X-GitHub-Hook-ID": "123456789",
    "X-GitHub-Hook-Installation-Target-ID": "1",
    "X-GitHub-Hook-Installation-Target-Type": "integration",
    "X-Hub-Signature-256": sign(body),
  };
}

/**
 * An API Gateway HTTP API event, payload format 2.0, as API Gateway builds it (header names are
 * lower-cased by API Gateway; `headers` here are passed through as given so tests can vary case).
 */
export function httpApiEvent(options: { method?: string; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean }): Record<string, unknown> {
  const method = options.method ?? "POST";
  return {
    version: "2.0",
    routeKey: `${method} /api/github/webhooks`,
    rawPath: "/api/github/webhooks",
    rawQueryString: "",
    headers: { "content-length": String(Buffer.byteLength(options.body ?? "")), host: "abc123.execute-api.us-east-1.amazonaws.com", "x-forwarded-for": "140.82.115.1", "x-forwarded-proto": "https", ...options.headers },
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      domainName: "abc123.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "abc123",
      http: { method, path: "/api/github/webhooks", protocol: "HTTP/1.1", sourceIp: "140.82.115.1", userAgent: "GitHub-Hookshot/a1b2c3d" },
      requestId: "JKJaXmPLvHcESHA=",
      routeKey: `${method} /api/github/webhooks`,
      stage: "$default",
      time: "27/Nov/2026:18:00:00 +0000",
      timeEpoch: 1_795_802_400_000,
    },
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/** A Lambda Function URL event (also payload format 2.0, with routeKey `$default`). */
export function functionUrlEvent(options: { method?: string; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean }): Record<string, unknown> {
  const method = options.method ?? "POST";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/",
    rawQueryString: "",
    headers: { "content-length": String(Buffer.byteLength(options.body ?? "")), host: "xyz789.lambda-url.us-east-1.on.aws", "x-amzn-trace-id": "Root=1-6745a1b0-0123456789abcdef01234567", "x-forwarded-proto": "https", ...options.headers },
    requestContext: {
      accountId: "anonymous",
      apiId: "xyz789",
      domainName: "xyz789.lambda-url.us-east-1.on.aws",
      domainPrefix: "xyz789",
      http: { method, path: "/", protocol: "HTTP/1.1", sourceIp: "140.82.115.1", userAgent: "GitHub-Hookshot/a1b2c3d" },
      requestId: "0d2c3f8e-1b6a-4d55-9f0e-2a1b3c4d5e6f",
      routeKey: "$default",
      stage: "$default",
      time: "27/Nov/2026:18:00:00 +0000",
      timeEpoch: 1_795_802_400_000,
    },
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}
