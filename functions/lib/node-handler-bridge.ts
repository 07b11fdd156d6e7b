import { PassThrough } from "node:stream";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpRequest } from "./http-request.js";
import type { HttpResponse } from "./http-response.js";

/** A Node server handler as Probot's `addHandler` takes it: true (or a promise of it) when it answered. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void | boolean | Promise<void | boolean>;

// Lambda's synchronous response limit is 6 MB; base64 costs a third.
const MAX_BODY = 4 * 1024 * 1024;

/**
 * Runs a Lambda HTTP request through the Node handlers the app added with `addHandler` (the run
 * page), so that the webhook function's URL serves what `npm start` serves. The handlers get a
 * request with method, url and headers, and a response that records writeHead/setHeader/write/end.
 * Returns null when no handler answered.
 */
export async function runNodeHandlers(handlers: readonly NodeHandler[], request: HttpRequest): Promise<HttpResponse | null> {
  for (const handler of handlers) {
    const req = Object.assign(new PassThrough(), {
      method: request.method,
      url: request.query ? `${request.path}?${request.query}` : request.path,
      headers: request.headers,
    });
    req.end(request.body);
    const recorder = recordResponse();
    const answered = await handler(req as unknown as IncomingMessage, recorder.res as unknown as ServerResponse);
    if (!answered) continue;
    return recorder.done;
  }
  return null;
}

function recordResponse(): { res: object; done: Promise<HttpResponse> } {
  let status = 200;
  const headers: Record<string, string> = {};
  const chunks: Buffer[] = [];
  let size = 0;
  let resolve!: (response: HttpResponse) => void;
  const done = new Promise<HttpResponse>((r) => (resolve = r));
  const sink = new PassThrough();
  const setHeaders = (given: Record<string, unknown> | undefined) => {
    for (const [name, value] of Object.entries(given ?? {})) if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  };
  sink.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  sink.on("finish", () => {
    if (size > MAX_BODY) {
      resolve({ statusCode: 413, headers: { "content-type": "text/plain; charset=utf-8" }, body: "This file is too large to serve through the function URL; fetch it from the store.\n" });
      return;
    }
    const bytes = Buffer.concat(chunks);
    delete headers["content-length"];
    // Text goes as it is; anything compressed or binary goes base64, as API Gateway and Function URLs expect.
    const binary = headers["content-encoding"] !== undefined || !/^(text\/|application\/(json|javascript|x-ndjson|x-ipynb\+json))/u.test(headers["content-type"] ?? "");
    resolve(binary ? { statusCode: status, headers, body: bytes.toString("base64"), isBase64Encoded: true } : { statusCode: status, headers, body: bytes.toString("utf8") });
  });
  const res = Object.assign(sink, {
    get statusCode() {
      return status;
    },
    set statusCode(value: number) {
      status = value;
    },
    headersSent: false,
    setHeader(name: string, value: unknown) {
      setHeaders({ [name]: value });
      return res;
    },
    getHeader(name: string) {
      return headers[name.toLowerCase()];
    },
    writeHead(code: number, given?: Record<string, unknown>) {
      status = code;
      setHeaders(given);
      res.headersSent = true;
      return res;
    },
  });
  return { res, done };
}
