/** What a Function URL or an HTTP API v2 integration expects back from the handler. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** Set when `body` is base64 (a gzip-encoded or binary answer). */
  isBase64Encoded?: boolean;
}

/** A JSON response; the body never carries more than the caller put in it. */
export function jsonResponse(statusCode: number, body: Record<string, unknown>): HttpResponse {
  return { statusCode, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) };
}
