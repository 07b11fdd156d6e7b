import { createHmac, timingSafeEqual } from "node:crypto";

/** A verified webhook delivery handed from the HTTP invocation to an asynchronous one. */
export interface AsyncDelivery {
  source: typeof ASYNC_SOURCE;
  /** HMAC of the delivery id under the webhook secret: only this function can mint it. */
  marker: string;
  id: string;
  name: string;
  /** GitHub's own signature and body, so the asynchronous run verifies the delivery again. */
  signature: string;
  body: string;
}

export const ASYNC_SOURCE = "nbtrain.webhook.async";

/** Builds the event the webhook function sends to itself. */
export function createAsyncDelivery(secret: string, delivery: Omit<AsyncDelivery, "source" | "marker">): AsyncDelivery {
  return { source: ASYNC_SOURCE, marker: markerFor(secret, delivery.id), ...delivery };
}

/** True when the event is shaped like an asynchronous delivery (not yet trusted). */
export function isAsyncDelivery(event: unknown): event is AsyncDelivery {
  if (typeof event !== "object" || event === null) return false;
  const e = event as Record<string, unknown>;
  return e.source === ASYNC_SOURCE && ["marker", "id", "name", "signature", "body"].every((key) => typeof e[key] === "string");
}

/** Checks the marker in constant time. */
export function hasValidMarker(secret: string, delivery: AsyncDelivery): boolean {
  const expected = Buffer.from(markerFor(secret, delivery.id), "utf8");
  const actual = Buffer.from(delivery.marker, "utf8");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function markerFor(secret: string, id: string): string {
  return createHmac("sha256", secret).update(`${ASYNC_SOURCE}\n${id}`).digest("hex");
}
