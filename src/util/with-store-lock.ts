import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "../storage/store.js";

export interface StoreLockOptions {
  /** A lock older than this is taken to be abandoned by a holder that died, and is broken. */
  leaseMs?: number;
  /** How long to wait for the lock before giving up with an error that says so. */
  waitMs?: number;
  clock?: () => Date;
}

/** The lock could not be had in time; the caller says so to the user rather than guessing. */
export class LockBusyError extends Error {
  override readonly name = "LockBusyError";
}

/**
 * Runs `task` while holding `locks/<key>.json` in the store: taken with the store's conditional
 * create, so one holder at a time across every instance sharing the store, and deleted after.
 * Waiters poll with a growing pause. Held only for short read-decide-write steps (count the
 * active runs, record a new one), so a lease of a minute is generous.
 */
export async function withStoreLock<T>(store: Store, key: string, task: () => Promise<T>, options: StoreLockOptions = {}): Promise<T> {
  const leaseMs = options.leaseMs ?? 60_000;
  const waitMs = options.waitMs ?? 30_000;
  const clock = options.clock ?? (() => new Date());
  const name = `locks/${key}.json`;
  const nonce = randomUUID();
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const body = Buffer.from(JSON.stringify({ at: clock().toISOString(), nonce }));
    if ((await store.create(name, body, { contentType: "application/json" })) === "created") break;
    const holder = await readLock(store, name);
    if (holder !== null && clock().getTime() - holder.at > leaseMs) {
      // Abandoned: break it, unless it changed hands meanwhile (then wait for the new holder).
      const again = await readLock(store, name);
      if (again?.nonce === holder.nonce) await store.delete(name);
      continue;
    }
    if (Date.now() - started > waitMs) throw new LockBusyError(`another instance held "${key}" for over ${Math.round(waitMs / 1000)} s`);
    await sleep(Math.min(500, 10 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2));
  }
  try {
    return await task();
  } finally {
    const holder = await readLock(store, name).catch(() => null);
    if (holder?.nonce === nonce) await store.delete(name).catch(() => undefined);
  }
}

async function readLock(store: Store, name: string): Promise<{ at: number; nonce: string } | null> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get(name)) chunks.push(Buffer.from(chunk as Uint8Array));
    const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { at?: string; nonce?: string };
    const at = Date.parse(parsed.at ?? "");
    return Number.isNaN(at) || typeof parsed.nonce !== "string" ? null : { at, nonce: parsed.nonce };
  } catch {
    return null; // gone meanwhile (released), or unreadable: try to take it again
  }
}
