import { randomUUID } from "node:crypto";
import type { Store } from "../storage/store.js";

/**
 * Who does a piece of work that must happen once (a commit's check run, a run id's job), when
 * the same event may reach several instances at once. With a store, a claim is one conditional
 * create of `claims/<key>` in it, so it holds across processes and machines that share the
 * store; without one it holds inside this process only.
 */
export interface Claims {
  /** True for exactly one caller per key; `by` (a delivery id) is recorded for the log. */
  claim(key: string, by: string): Promise<boolean>;
  /** Whether the claims hold across instances (a shared store) or in this process only. */
  readonly scope: "store" | "process";
}

/** How long a process-local claim is remembered: redeliveries come minutes apart, not days. */
const MEMORY_TTL_MS = 6 * 60 * 60 * 1000;

export function createClaims(store: Store | undefined, clock: () => Date = () => new Date()): Claims {
  if (store) {
    return {
      scope: "store",
      claim: async (key, by) => {
        // The nonce makes each claim's bytes unique, so a create retried after a lost answer knows its own.
        const body = Buffer.from(JSON.stringify({ key, by, at: clock().toISOString(), nonce: randomUUID() }));
        return (await store.create(`claims/${key}.json`, body, { contentType: "application/json" })) === "created";
      },
    };
  }
  const taken = new Map<string, number>();
  return {
    scope: "process",
    claim: async (key) => {
      const now = clock().getTime();
      for (const [k, at] of taken) {
        if (now - at < MEMORY_TTL_MS) break; // insertion order is time order
        taken.delete(k);
      }
      if (taken.has(key)) return false;
      taken.set(key, now);
      return true;
    },
  };
}
