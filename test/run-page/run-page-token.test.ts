import { describe, expect, it } from "vitest";
import { signRunPageToken, verifyRunPageToken } from "../../src/run-page/run-page-token.js";
import { readRunPageSettings } from "../../src/run-page/run-page-settings.js";
import { runPageUrl } from "../../src/run-page/run-page-url.js";

const key = Buffer.from("a-page-key-of-enough-length-0123456789ab");
const ref = { owner: "octo", repo: "models", runId: "c1" };
const now = new Date("2026-12-01T00:00:00Z");
const later = new Date(now.getTime() + 3_600_000);

describe("run page tokens", () => {
  it("open exactly the run they were made for, until they expire", () => {
    const token = signRunPageToken(key, ref, later);
    expect(verifyRunPageToken(key, ref, token, now)).toBe(true);
    expect(verifyRunPageToken(key, ref, token, new Date(later.getTime() - 1000))).toBe(true);
    expect(verifyRunPageToken(key, ref, token, later)).toBe(false);
    expect(verifyRunPageToken(key, { ...ref, runId: "c2" }, token, now)).toBe(false);
    expect(verifyRunPageToken(key, { ...ref, repo: "other" }, token, now)).toBe(false);
    expect(verifyRunPageToken(key, { ...ref, owner: "Octo" }, token, now)).toBe(false);
    expect(verifyRunPageToken(Buffer.from("another-key-of-enough-length-0123456789"), ref, token, now)).toBe(false);
  });

  it("reject a changed expiry, a changed signature and malformed text", () => {
    const token = signRunPageToken(key, ref, later);
    const [expiry, signature] = token.split(".") as [string, string];
    const extended = `${(Number.parseInt(expiry, 36) + 86_400).toString(36)}.${signature}`;
    expect(verifyRunPageToken(key, ref, extended, now)).toBe(false);
    const flipped = `${expiry}.${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
    expect(verifyRunPageToken(key, ref, flipped, now)).toBe(false);
    for (const bad of ["", ".", token + "x", `${expiry}.`, `zzzzzzzzzzzz.${signature}`, token.replace(".", "-"), "a".repeat(5000)]) {
      expect(verifyRunPageToken(key, ref, bad, now)).toBe(false);
    }
  });

  it("settings: the key comes from NBTRAIN_PAGE_KEY or is derived from the webhook secret, never equal to it", () => {
    expect(readRunPageSettings({})).toBeNull();
    expect(() => readRunPageSettings({ NBTRAIN_PAGE_KEY: "short" })).toThrow(/at least 32 characters/u);
    expect(() => readRunPageSettings({ WEBHOOK_SECRET: "s", NBTRAIN_PUBLIC_URL: "ftp://x" })).toThrow(/https:\/\//u);
    expect(() => readRunPageSettings({ WEBHOOK_SECRET: "s", NBTRAIN_PAGE_TTL_DAYS: "0" })).toThrow(/NBTRAIN_PAGE_TTL_DAYS/u);
    const derived = readRunPageSettings({ WEBHOOK_SECRET: "hook-secret" })!;
    expect(Buffer.from(derived.key).toString("utf8")).not.toContain("hook-secret");
    expect(derived.publicUrl).toBeNull();
    expect(runPageUrl(derived, ref, now)).toBeNull();
    const own = readRunPageSettings({ WEBHOOK_SECRET: "hook-secret", NBTRAIN_PAGE_KEY: key.toString(), NBTRAIN_PUBLIC_URL: "https://bot.example.com/", NBTRAIN_PAGE_TTL_DAYS: "2" })!;
    const url = new URL(runPageUrl(own, ref, now, "output.ipynb")!);
    expect(`${url.origin}${url.pathname}`).toBe("https://bot.example.com/nbtrain/runs/octo/models/c1/output.ipynb");
    expect(verifyRunPageToken(key, ref, url.searchParams.get("t")!, new Date(now.getTime() + 2 * 86_400_000 - 1000))).toBe(true);
    expect(verifyRunPageToken(key, ref, url.searchParams.get("t")!, new Date(now.getTime() + 2 * 86_400_000))).toBe(false);
  });
});
