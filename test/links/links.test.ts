import { describe, expect, it } from "vitest";
import { colabUrl } from "../../src/links/colab-url.js";
import { encodePathSegments } from "../../src/links/encode-path-segments.js";
import { githubBlobUrl } from "../../src/links/github-blob-url.js";
import { nbviewerUrl } from "../../src/links/nbviewer-url.js";

const sha = "0123456789abcdef0123456789abcdef01234567";

describe("colabUrl", () => {
  it("pins the notebook to the commit with the blob segment Colab requires", () => {
    expect(colabUrl({ owner: "octo-org", repo: "ml", sha, path: "notebooks/train.ipynb" })).toBe(
      `https://colab.research.google.com/github/octo-org/ml/blob/${sha}/notebooks/train.ipynb`,
    );
  });

  it("encodes spaces, # and ? in each segment so they cannot end the URL early", () => {
    expect(colabUrl({ owner: "o", repo: "r", sha, path: "my notebooks/#1 what?.ipynb" })).toBe(
      `https://colab.research.google.com/github/o/r/blob/${sha}/my%20notebooks/%231%20what%3F.ipynb`,
    );
  });

  it("encodes unicode as UTF-8 percent escapes", () => {
    expect(colabUrl({ owner: "o", repo: "r", sha, path: "données/модель 🚀.ipynb" })).toBe(
      `https://colab.research.google.com/github/o/r/blob/${sha}/donn%C3%A9es/%D0%BC%D0%BE%D0%B4%D0%B5%D0%BB%D1%8C%20%F0%9F%9A%80.ipynb`,
    );
  });

  it("is unaffected by a branch name with / because it uses the SHA", () => {
    // The branch never enters the URL: only the SHA does, so feature/x cannot split a segment.
    const url = colabUrl({ owner: "o", repo: "r", sha, path: "a.ipynb" });
    expect(url).not.toContain("feature");
    expect(new URL(url).pathname.split("/")).toEqual(["", "github", "o", "r", "blob", sha, "a.ipynb"]);
  });

  it("round-trips every segment through URL parsing", () => {
    const path = "dir with space/sub#dir/?q=1&x/ünï cødé/%41.ipynb";
    const url = new URL(colabUrl({ owner: "o", repo: "r", sha, path }));
    expect(url.search).toBe("");
    expect(url.hash).toBe("");
    const segments = url.pathname.split("/").slice(6).map(decodeURIComponent);
    expect(segments.join("/")).toBe(path);
  });
});

describe("nbviewerUrl and githubBlobUrl", () => {
  it("point at the same commit and encoded path", () => {
    const ref = { owner: "o", repo: "r", sha, path: "a b/c#d.ipynb" };
    expect(nbviewerUrl(ref)).toBe(`https://nbviewer.org/github/o/r/blob/${sha}/a%20b/c%23d.ipynb`);
    expect(githubBlobUrl(ref)).toBe(`https://github.com/o/r/blob/${sha}/a%20b/c%23d.ipynb`);
  });

  it("uses the given web host for GitHub Enterprise Server", () => {
    expect(githubBlobUrl({ owner: "o", repo: "r", sha, path: "x.ipynb" }, "https://ghe.example.com/")).toBe(`https://ghe.example.com/o/r/blob/${sha}/x.ipynb`);
  });
});

describe("encodePathSegments", () => {
  it("encodes the characters that would end a Markdown link", () => {
    expect(encodePathSegments("copy (2)/it's*!.ipynb")).toBe("copy%20%282%29/it%27s%2A%21.ipynb");
  });

  it("keeps slashes and replaces a lone surrogate instead of throwing", () => {
    expect(encodePathSegments("a/b")).toBe("a/b");
    expect(encodePathSegments("x\uD800y.ipynb")).toBe("x%EF%BF%BDy.ipynb");
  });
});
