import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/commands/format-duration.js";
import { formatMemory } from "../../src/commands/format-memory.js";
import { parseDuration } from "../../src/commands/parse-duration.js";
import { parseSize } from "../../src/commands/parse-size.js";

describe("parseDuration", () => {
  it.each([
    ["90m", 5400],
    ["2h", 7200],
    ["1h30m", 5400],
    ["3600s", 3600],
    ["1d2h3m4s", 93784],
    ["1.5h", 5400],
    ["2H", 7200],
  ])("reads %s as %i seconds", (input, seconds) => {
    expect(parseDuration(input)).toEqual({ seconds });
  });

  it.each(["90", "", "h", "1x", "30m1h", "1h1h", "0s", "-1h", "1 h"])("refuses %j with a hint", (input) => {
    const result = parseDuration(input);
    expect("error" in result && result.error).toMatch(/duration/);
  });

  it("formats back to what it reads", () => {
    for (const seconds of [45, 60, 5400, 93784, 86_400]) {
      expect(parseDuration(formatDuration(seconds))).toEqual({ seconds });
    }
  });
});

describe("parseSize", () => {
  it.each([
    ["16GiB", 16384],
    ["64GB", Math.ceil(64e9 / 2 ** 20)],
    ["512MiB", 512],
    ["1.5GiB", 1536],
    ["16G", 16384],
    ["16Gi", 16384],
    ["16gib", 16384],
    ["1TiB", 1024 * 1024],
    ["1500KiB", 2],
  ])("reads %s as %i MiB", (input, mib) => {
    expect(parseSize(input)).toEqual({ mib });
  });

  it.each(["16", "lots", "16XB", "0GiB", "-1GiB", "GiB", "1e3GiB"])("refuses %j with a hint", (input) => {
    const result = parseSize(input);
    expect("error" in result && result.error).toMatch(/memory size/);
  });

  it("formats MiB for replies", () => {
    expect(formatMemory(16384)).toBe("16GiB");
    expect(formatMemory(1536)).toBe("1.5GiB");
    expect(formatMemory(512)).toBe("512MiB");
    expect(parseSize(formatMemory(1536))).toEqual({ mib: 1536 });
  });
});

describe("unit parsers on arbitrary text", () => {
  it("never throw and answer a positive integer or an error", async () => {
    const fc = (await import("fast-check")).default;
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (text) => {
        const duration = parseDuration(text);
        const size = parseSize(text);
        const durationOk = "seconds" in duration ? Number.isSafeInteger(duration.seconds) && duration.seconds > 0 : duration.error.length > 0;
        const sizeOk = "mib" in size ? Number.isSafeInteger(size.mib) && size.mib > 0 : size.error.length > 0;
        return durationOk && sizeOk;
      }),
      { numRuns: 2000 },
    );
  });
});
