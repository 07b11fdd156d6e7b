/** An HTTP request taken out of a Lambda event, whichever front door it came through. */
export interface HttpRequest {
  method: string;
  path: string;
  /** The query string without its `?`, as the client sent it ("" when none). */
  query: string;
  /** Header names in lower case; API Gateway already joins repeated headers with commas. */
  headers: Record<string, string>;
  /** The body exactly as the client sent it, base64 decoded when Lambda encoded it. */
  body: string;
}

export type HttpEventParse = { ok: true; request: HttpRequest } | { ok: false; message: string };

/** True when the event came through an HTTP front door (HTTP API v2 or a Function URL). */
export function isHttpEvent(event: unknown): boolean {
  if (typeof event !== "object" || event === null) return false;
  const context = (event as { requestContext?: unknown }).requestContext;
  return typeof context === "object" && context !== null && "http" in context;
}

/**
 * Reads an API Gateway HTTP API (payload 2.0) or Function URL event into a plain request:
 * lower-cases header names and decodes a base64 body, so that the signature is checked over the
 * exact bytes GitHub signed.
 */
export function parseHttpEvent(event: unknown): HttpEventParse {
  // Hand-checked rather than with zod: this runs on every cold start, and zod's core is most of
  // the app's import-time code. Only the fields nbtrain reads are checked; AWS adds fields over time.
  if (!isHttpEvent(event)) return { ok: false, message: "not an HTTP API v2 or Function URL event (requestContext.http is missing)" };
  const data = event as { requestContext: { http: Record<string, unknown> }; rawPath?: unknown; rawQueryString?: unknown; headers?: unknown; body?: unknown; isBase64Encoded?: unknown };
  const { method, path } = data.requestContext.http;
  const wrong = (field: string, expected: string): HttpEventParse => ({ ok: false, message: `not an HTTP API v2 or Function URL event (${field}: expected ${expected})` });
  if (typeof method !== "string" || method === "") return wrong("requestContext.http.method", "a non-empty string");
  if (path !== undefined && typeof path !== "string") return wrong("requestContext.http.path", "a string");
  if (data.rawPath !== undefined && typeof data.rawPath !== "string") return wrong("rawPath", "a string");
  if (data.rawQueryString !== undefined && typeof data.rawQueryString !== "string") return wrong("rawQueryString", "a string");
  if (data.headers != null && (typeof data.headers !== "object" || Array.isArray(data.headers))) return wrong("headers", "an object");
  if (data.body != null && typeof data.body !== "string") return wrong("body", "a string");
  if (data.isBase64Encoded !== undefined && typeof data.isBase64Encoded !== "boolean") return wrong("isBase64Encoded", "a boolean");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((data.headers ?? {}) as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") return wrong(`headers.${name}`, "a string");
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]},${value}`;
  }
  const raw = typeof data.body === "string" ? data.body : "";
  let body = raw;
  if (data.isBase64Encoded) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/u.test(raw) || raw.length % 4 !== 0) return { ok: false, message: "the body is marked base64 but is not valid base64" };
    body = Buffer.from(raw, "base64").toString("utf8");
  }
  return { ok: true, request: { method: method.toUpperCase(), path: path ?? (typeof data.rawPath === "string" ? data.rawPath : "/"), query: typeof data.rawQueryString === "string" ? data.rawQueryString : "", headers, body } };
}
