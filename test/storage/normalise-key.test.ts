import { describe, expect, it } from "vitest";
import { normaliseKey, normalisePrefix } from "../../src/storage/normalise-key.js";
import { StoreError } from "../../src/storage/store-error.js";

describe("normaliseKey", () => {
  it("accepts relative slash-separated keys and returns their NFC form", () => {
    expect(normaliseKey("checkpoints/epoch-3.pt")).toBe("checkpoints/epoch-3.pt");
    expect(normaliseKey("runs/o/r/1/.hidden")).toBe("runs/o/r/1/.hidden");
    expect(normaliseKey("cafe\u0301.txt")).toBe("caf\u00e9.txt");
  });

  it.each([
    ["", /empty/],
    ["../x", /"\.\." segment/],
    ["a/../../x", /"\.\." segment/],
    ["a/./b", /"\." segment/],
    ["/etc/passwd", /absolute/],
    ["a\\b", /backslash/],
    ["C:/x", /drive letter/],
    ["a//b", /empty segment/],
    ["a/", /empty segment/],
    ["a\u0000b", /control/],
    ["line\nbreak", /control/],
    ["x".repeat(1025), /longer than 1024/],
  ])("rejects %j with a clear error", (key, why) => {
    const attempt = () => normaliseKey(key);
    expect(attempt).toThrow(StoreError);
    expect(attempt).toThrow(why);
    try {
      attempt();
    } catch (error) {
      expect((error as StoreError).code).toBe("invalid-key");
    }
  });

  it("normalises list prefixes, keeping a trailing slash", () => {
    expect(normalisePrefix("")).toBe("");
    expect(normalisePrefix("runs/a/")).toBe("runs/a/");
    expect(normalisePrefix("runs/ep")).toBe("runs/ep");
    expect(() => normalisePrefix("../")).toThrow(/"\.\." segment/);
    expect(() => normalisePrefix("/")).toThrow(StoreError);
  });
});
