import { describe, expect, it } from "vitest";
import { isHttpEvent, parseHttpEvent } from "../../functions/lib/http-request.js";
import { functionUrlEvent, httpApiEvent } from "./webhook-events.js";

describe("parseHttpEvent", () => {
  it("lower-cases header names from either front door and keeps the body's bytes", () => {
    const body = '{"zen":"Non-blocking is better than blocking. ✓"}';
    for (const event of [httpApiEvent({ headers: { "X-GitHub-Event": "ping" }, body }), functionUrlEvent({ headers: { "x-github-event": "ping" }, body })]) {
      const parsed = parseHttpEvent(event);
      expect(parsed).toMatchObject({ ok: true, request: { method: "POST", body, headers: { "x-github-event": "ping" } } });
    }
  });

  it("decodes a base64 body as UTF-8", () => {
    const body = '{"name":"notebook – ü.ipynb"}';
    const parsed = parseHttpEvent(functionUrlEvent({ body: Buffer.from(body).toString("base64"), isBase64Encoded: true }));
    expect(parsed).toMatchObject({ ok: true, request: { body } });
  });

  it("joins a header sent under two spellings, as API Gateway joins repeats", () => {
    const parsed = parseHttpEvent(httpApiEvent({ headers: { "X-Custom": "a", "x-custom": "b" } }));
    expect(parsed.ok && parsed.request.headers["x-custom"]).toBe("a,b");
  });

  it("reports what is wrong with an event that is not an HTTP request", () => {
    expect(isHttpEvent({ source: "aws.batch" })).toBe(false);
    expect(isHttpEvent(null)).toBe(false);
    expect(parseHttpEvent({ requestContext: { http: { method: 7 } } })).toEqual({ ok: false, message: expect.stringMatching(/^not an HTTP API v2 or Function URL event \(requestContext\.http\.method: /u) });
  });
});
