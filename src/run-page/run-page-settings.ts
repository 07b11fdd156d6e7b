import { createHmac } from "node:crypto";

/** How the deployment serves run pages: its key, its public address and how long a link lives. */
export interface RunPageSettings {
  key: Uint8Array;
  /** The bot's public base URL (`https://bot.example.com`, a Lambda function URL); links need it. */
  publicUrl: string | null;
  ttlSeconds: number;
}

const DEFAULT_TTL_DAYS = 30;

/**
 * Reads the run page's settings from the environment:
 * - `NBTRAIN_PAGE_KEY`: the signing key (at least 32 characters). Without it the key is derived
 *   from `WEBHOOK_SECRET` with a label of its own, so a signature made for the page can never
 *   stand in for a webhook signature, nor the reverse.
 * - `NBTRAIN_PUBLIC_URL`: where the bot is reachable; without it check runs carry no page link.
 * - `NBTRAIN_PAGE_TTL_DAYS`: how long a link stays valid (default 30; each check run update renews it).
 * Returns null when neither key is set: then no page is served. Throws on a value that is wrong.
 */
export function readRunPageSettings(env: NodeJS.ProcessEnv): RunPageSettings | null {
  const own = env.NBTRAIN_PAGE_KEY;
  if (own !== undefined && own.length < 32) throw new Error("NBTRAIN_PAGE_KEY must be at least 32 characters (for example `openssl rand -hex 32`).");
  const secret = env.WEBHOOK_SECRET;
  if (!own && !secret) return null;
  const key = own ? Buffer.from(own, "utf8") : createHmac("sha256", secret!).update("nbtrain run page key/1").digest();
  const publicUrl = env.NBTRAIN_PUBLIC_URL?.trim() || null;
  if (publicUrl !== null) {
    let url: URL;
    try {
      url = new URL(publicUrl);
    } catch {
      throw new Error(`NBTRAIN_PUBLIC_URL is not a URL (${JSON.stringify(publicUrl)}); set it to the bot's address, such as https://bot.example.com.`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("NBTRAIN_PUBLIC_URL must start with https:// (or http:// on a private network).");
  }
  const days = env.NBTRAIN_PAGE_TTL_DAYS === undefined ? DEFAULT_TTL_DAYS : Number(env.NBTRAIN_PAGE_TTL_DAYS);
  if (!Number.isFinite(days) || days <= 0 || days > 366) throw new Error("NBTRAIN_PAGE_TTL_DAYS must be a number of days between 0 and 366.");
  return { key, publicUrl: publicUrl?.replace(/\/+$/u, "") ?? null, ttlSeconds: Math.round(days * 86_400) };
}
