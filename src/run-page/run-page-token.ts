import { createHmac, timingSafeEqual } from "node:crypto";

/** Who a token opens: exactly one run of one repository. */
export interface RunRef {
  owner: string;
  repo: string;
  runId: string;
}

const VERSION = "nbtrain-run-page/1";
// 128 bits of HMAC-SHA256: far beyond guessing, and short enough for a link in a check run.
const SIGNATURE_BYTES = 16;
const TOKEN = /^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{22})$/u;

function signature(key: Uint8Array, ref: RunRef, expires: number): Buffer {
  // Newlines cannot occur in owners, repos or run ids (their alphabets are checked before this).
  const message = `${VERSION}\n${ref.owner}\n${ref.repo}\n${ref.runId}\n${expires}`;
  return createHmac("sha256", key).update(message).digest().subarray(0, SIGNATURE_BYTES);
}

/** A token for the run page of `ref`, valid until `expiresAt` (rounded down to the second). */
export function signRunPageToken(key: Uint8Array, ref: RunRef, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `${expires.toString(36)}.${signature(key, ref, expires).toString("base64url")}`;
}

/**
 * True when `token` was made with `key` for exactly this run and has not expired. Every failure
 * is the same `false`, so that a caller cannot tell a forged token from an expired one.
 */
export function verifyRunPageToken(key: Uint8Array, ref: RunRef, token: string, now: Date): boolean {
  const match = TOKEN.exec(token);
  if (!match) return false;
  const expires = Number.parseInt(match[1]!, 36);
  if (!Number.isSafeInteger(expires)) return false;
  const given = Buffer.from(match[2]!, "base64url");
  const expected = signature(key, ref, expires);
  // Compare first, then check the time: the work done is the same for expired and forged tokens.
  const valid = given.length === expected.length && timingSafeEqual(given, expected);
  return valid && expires * 1000 > now.getTime();
}
