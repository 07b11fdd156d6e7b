import { randomUUID } from "node:crypto";
import type { Store } from "../storage/store.js";

/**
 * Who does a piece of work that must happen once (a commit's check run, a run id's job), when
 * the same event may reach several instances at once. With a store, a claim is one conditional
 * create of `claims/<key>` in it, so it holds across processes and machines that share the
 * store; without one it holds inside this process only.
 */
export interface Claims {
  /**
   * True for exactly one caller per key; `by` (a delivery id) is recorded for the log. With
   * `leaseMs`, a claim older than that counts as abandoned (its holder died before finishing) and
   * the next caller may take it over, again exactly one of them.
   */
  claim(key: string, by: string, options?: { leaseMs?: number }): Promise<boolean>;
  /** Whether the claims hold across instances (a shared store) or in this process only. */
  readonly scope: "store" | "process";
}

/** Where every claim lives in the store; the stack's bucket expires it (templates/sam.yaml). */
export const CLAIMS_PREFIX = "claims/";

/** How long a process-local claim is remembered: redeliveries come minutes apart, not days. */
const MEMORY_TTL_MS = 6 * 60 * 60 * 1000;
/** Takeovers of one leased claim before giving up: each is a new generation of its key. */
const MAX_GENERATIONS = 20;

export function createClaims(store: Store | undefined, clock: () => Date = () => new Date()): Claims {
  if (store) {
    const create = (name: string, key: string, by: string) => {
      // The nonce makes each claim's bytes unique, so a create retried after a lost answer knows its own.
      const body = Buffer.from(JSON.stringify({ key, by, at: clock().toISOString(), nonce: randomUUID() }));
      return store.create(name, body, { contentType: "application/json" });
    };
    return {
      scope: "store",
      claim: async (key, by, options = {}) => {
        if (options.leaseMs === undefined) return (await create(`${CLAIMS_PREFIX}${key}.json`, key, by)) === "created";
        // A leased claim is a chain of generations: taking over an abandoned one is itself a create.
        for (let generation = 1; generation <= MAX_GENERATIONS; generation++) {
          const name = `${CLAIMS_PREFIX}${key}/${generation}.json`;
          if ((await create(name, key, by)) === "created") return true;
          const at = await readClaimTime(store, name);
          if (at === null || clock().getTime() - at < options.leaseMs) return false;
        }
        return false;
      },
    };
  }
  const taken = new Map<string, number>();
  return {
    scope: "process",
    claim: async (key, _by, options = {}) => {
      const now = clock().getTime();
      for (const [k, at] of taken) {
        if (now - at < MEMORY_TTL_MS) break; // insertion order is time order
        taken.delete(k);
      }
      const at = taken.get(key);
      if (at !== undefined && (options.leaseMs === undefined || now - at < options.leaseMs)) return false;
      taken.delete(key);
      taken.set(key, now);
      return true;
    },
  };
}

/** When a stored claim was made, or null when it cannot be read (then it is not taken over). */
async function readClaimTime(store: Store, name: string): Promise<number | null> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get(name)) chunks.push(Buffer.from(chunk as Uint8Array));
    const at = Date.parse((JSON.parse(Buffer.concat(chunks).toString("utf8")) as { at?: string }).at ?? "");
    return Number.isNaN(at) ? null : at;
  } catch {
    return null;
  }
}
