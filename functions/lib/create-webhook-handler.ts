import type { Probot } from "probot";
import { redactSecrets } from "../../src/util/redact-secrets.js";
import { createAsyncDelivery, hasValidMarker, isAsyncDelivery, type AsyncDelivery } from "./async-delivery.js";
import { isHttpEvent, parseHttpEvent } from "./http-request.js";
import { jsonResponse, type HttpResponse } from "./http-response.js";
import type { AsyncInvoker } from "./lambda-self-invoker.js";
import { runNodeHandlers, type NodeHandler } from "./node-handler-bridge.js";

/** What a warm container holds: the loaded app and how to defer work. */
export interface WebhookRuntime {
  /** Probot with the webhook secret set; enough to verify and acknowledge a delivery. */
  probot: Probot;
  /**
   * Loads the app into `probot` on first call (the same promise after that). Acknowledging a
   * delivery never needs the app, so a cold start that only acknowledges never loads it.
   */
  loadApp: () => Promise<void>;
  /** The HTTP handlers the app added once loaded (the run page under `/nbtrain/`). */
  handlers?: readonly NodeHandler[];
  /** The webhook secret, also the key of the asynchronous-delivery marker. */
  secret: string;
  /** When set, a verified delivery is acknowledged at once and handled by an asynchronous invocation. */
  invokeAsync?: AsyncInvoker;
  /** Largest body handed to `invokeAsync`; Lambda caps an asynchronous event at 256 KB. Larger ones run inline. */
  maxAsyncBytes?: number;
}

export interface WebhookHandlerOptions {
  /** Builds the runtime; called once per container, and again after a failure. */
  loadRuntime: () => Promise<WebhookRuntime>;
  /** Where problems go before Probot's logger exists. Default: stderr. */
  logError?: (message: string) => void;
}

/** The Lambda handler: HTTP events from GitHub, and the function's own asynchronous deliveries. */
export type WebhookHandler = (event: unknown) => Promise<HttpResponse | undefined>;

export const DEFAULT_MAX_ASYNC_BYTES = 256 * 1024;

/**
 * The webhook function's logic, on Probot 14 with no adapter:
 * - GET: a health answer that also proves the secrets load and Probot starts;
 * - POST: 400 on a malformed request, 401 on a missing or wrong `X-Hub-Signature-256`, then
 *   either hand the delivery to the app and answer 200 when it is done, or (with `invokeAsync`)
 *   answer 200 as soon as the delivery is queued for an asynchronous run of this function;
 * - an asynchronous delivery: checked for the internal marker and GitHub's signature again, then
 *   handed to the app.
 * An internal error answers 500 with the delivery id and nothing else; details go to the log.
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const logError = options.logError ?? ((message: string) => console.error(message));
  let runtime: Promise<WebhookRuntime> | undefined;
  const getRuntime = (): Promise<WebhookRuntime> => {
    if (!runtime) {
      runtime = options.loadRuntime();
      runtime.catch(() => (runtime = undefined));
    }
    return runtime;
  };

  return async (event) => {
    if (isAsyncDelivery(event)) {
      await handleAsyncDelivery(await getRuntime(), event);
      return undefined;
    }
    if (!isHttpEvent(event)) {
      logError("webhook: ignored an event that is neither an HTTP request nor an nbtrain asynchronous delivery");
      return undefined;
    }
    const parsed = parseHttpEvent(event);
    if (!parsed.ok) return jsonResponse(400, { error: parsed.message });
    const { request } = parsed;

    let app: WebhookRuntime;
    try {
      app = await getRuntime();
    } catch (error) {
      logError(`webhook: the app could not start: ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
      return jsonResponse(500, { error: "The app could not start; see the function's logs." });
    }

    if ((request.method === "GET" || request.method === "HEAD") && request.path.startsWith("/nbtrain/")) {
      // The run page: the same handlers `npm start` serves, run through a small request/response bridge.
      try {
        await app.loadApp();
        const answer = await runNodeHandlers(app.handlers ?? [], request);
        return answer ?? jsonResponse(404, { error: "Not found." });
      } catch (error) {
        logError(`webhook: the run page failed: ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
        return jsonResponse(500, { error: "The run page could not be read; see the function's logs." });
      }
    }
    if (request.method === "GET" || request.method === "HEAD") return jsonResponse(200, { status: "ok", app: "nbtrain" });
    if (request.method !== "POST") return jsonResponse(405, { error: `${request.method} is not supported; GitHub delivers webhooks with POST.` });

    const name = request.headers["x-github-event"];
    const id = request.headers["x-github-delivery"];
    const signature = request.headers["x-hub-signature-256"];
    if (!name || !id) return jsonResponse(400, { error: "Missing X-GitHub-Event or X-GitHub-Delivery header; is this a GitHub webhook?" });
    if (!signature) return jsonResponse(401, { error: "Missing X-Hub-Signature-256 header; set a webhook secret on the GitHub App." });
    const log = app.probot.log.child({ id, name });
    if (!(await app.probot.webhooks.verify(request.body, signature).catch(() => false))) {
      log.warn("webhook: signature does not match; check that WEBHOOK_SECRET matches the App's webhook secret");
      return jsonResponse(401, { error: "Signature does not match; check the webhook secret." });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(request.body);
    } catch {
      return jsonResponse(400, { error: "The body is not JSON; set the webhook content type to application/json." });
    }
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return jsonResponse(400, { error: "The body is not a JSON object." });

    const bytes = Buffer.byteLength(request.body, "utf8");
    if (app.invokeAsync && name !== "ping" && bytes <= (app.maxAsyncBytes ?? DEFAULT_MAX_ASYNC_BYTES)) {
      try {
        await app.invokeAsync(createAsyncDelivery(app.secret, { id, name, signature, body: request.body }));
        return jsonResponse(200, { ok: true, id, deferred: true });
      } catch (error) {
        // Losing the delivery is worse than risking GitHub's timeout: run it here instead.
        log.error({ err: error }, "webhook: asynchronous invocation failed; handling the delivery inline");
      }
    } else if (app.invokeAsync && name !== "ping") {
      log.warn(`webhook: ${bytes}-byte delivery is over the asynchronous limit; handling it inline`);
    }

    try {
      await app.loadApp();
    } catch (error) {
      log.error(`webhook: the app could not load: ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
      return jsonResponse(500, { error: "Internal error while handling the delivery; see the function's logs.", id });
    }
    try {
      await app.probot.webhooks.receive({ id, name, payload } as never);
      return jsonResponse(200, { ok: true, id });
    } catch {
      // Probot has logged the handler's error with the delivery id; the answer carries no detail.
      return jsonResponse(500, { error: "Internal error while handling the delivery; see the function's logs.", id });
    }
  };
}

async function handleAsyncDelivery(app: WebhookRuntime, delivery: AsyncDelivery): Promise<void> {
  const log = app.probot.log.child({ id: delivery.id, name: delivery.name });
  if (!hasValidMarker(app.secret, delivery)) {
    // Not minted by this function: drop it without running anything.
    log.warn("webhook: dropped an asynchronous delivery without a valid marker");
    return;
  }
  try {
    await app.loadApp();
    await app.probot.webhooks.verifyAndReceive({ id: delivery.id, name: delivery.name, signature: delivery.signature, payload: delivery.body } as never);
  } catch (error) {
    // Probot has logged it with the delivery id. Rethrown so Lambda counts the failure.
    throw new Error(`Delivery ${delivery.id} (${delivery.name}) failed: ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
  }
}
