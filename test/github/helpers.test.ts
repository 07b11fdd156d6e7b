import { describe, expect, it } from "vitest";
import { describeError } from "../../src/github/describe-error.js";
import { mapWithConcurrency } from "../../src/util/map-with-concurrency.js";
import { redactSecrets } from "../../src/util/redact-secrets.js";
import { selectNotebooks } from "../../src/github/select-notebooks.js";

describe("redactSecrets", () => {
  it("removes GitHub tokens, bearer and token headers, JWTs and PEM keys", () => {
    const text = [
      "ghs_abcdefghijklmnopqrstuvwxyz0123456789",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
      "authorization: token v1.0123456789abcdef0123456789abcdef01234567",
      "Bearer abc.def-ghi_jkl",
      "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2lnbmF0dXJl",
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
    ].join("\n");
    const redacted = redactSecrets(text);
    expect(redacted).toBe(["[REDACTED]", "[REDACTED]", "authorization: token [REDACTED]", "Bearer [REDACTED]", "[REDACTED]", "[REDACTED PRIVATE KEY]"].join("\n"));
  });

  it("keeps ordinary text", () => {
    expect(redactSecrets("Not Found: notebooks/train.ipynb at ec26c3e")).toBe("Not Found: notebooks/train.ipynb at ec26c3e");
  });

  it("describes an Octokit error with its status and request, and a plain value", () => {
    const error = Object.assign(new Error("Server Error"), { status: 503, request: { method: "GET", url: "https://api.github.com/repos/o/r/contents/x?ref=abc" } });
    expect(describeError(error)).toBe("GitHub answered 503 to GET https://api.github.com/repos/o/r/contents/x: Server Error");
    expect(describeError("boom ghp_abcdefghijklmnopqrstuvwxyz")).toBe("boom [REDACTED]");
  });
});

describe("mapWithConcurrency", () => {
  it("keeps order and never exceeds the limit", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, n));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
  });

  it("rejects with the first error and starts nothing after it", async () => {
    const started: number[] = [];
    await expect(
      mapWithConcurrency([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error("two");
        return n;
      }),
    ).rejects.toThrow("two");
    expect(started).toEqual([1, 2]);
  });
});

describe("selectNotebooks", () => {
  const files = ["a.ipynb", "nb/b.IPYNB", "nb/scratch/c.ipynb", ".hidden/d.ipynb", "e.py", "gone.ipynb"].map((path) => ({ path, status: path === "gone.ipynb" ? "removed" : "modified" }));
  it("keeps changed .ipynb files matched by include and not by exclude", () => {
    expect(selectNotebooks(files, { include: ["**/*.ipynb"], exclude: [] }).map((f) => f.path)).toEqual(["a.ipynb", "nb/scratch/c.ipynb", ".hidden/d.ipynb"]);
    expect(selectNotebooks(files, { include: ["**/*.{ipynb,IPYNB}"], exclude: ["**/scratch/**"] }).map((f) => f.path)).toEqual(["a.ipynb", "nb/b.IPYNB", ".hidden/d.ipynb"]);
  });
});
