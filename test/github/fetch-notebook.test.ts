import { describe, expect, it } from "vitest";
import { fetchNotebook } from "../../src/github/fetch-notebook.js";
import type { GitHubClient } from "../../src/github/github-client.js";

/** An Octokit whose getContent answers `data`, or rejects with `error`. */
function octokitAnswering(answer: { data?: unknown; error?: unknown }): { octokit: GitHubClient; calls: unknown[] } {
  const calls: unknown[] = [];
  const octokit = {
    rest: {
      repos: {
        getContent: async (params: unknown) => {
          calls.push(params);
          if (answer.error) throw answer.error;
          return { data: answer.data };
        },
      },
    },
  } as unknown as GitHubClient;
  return { octokit, calls };
}

const ref = { owner: "o", repo: "r", path: "dir/a b.ipynb", sha: "abc" };
const httpError = (status: number, message: string) => Object.assign(new Error(message), { status });

describe("fetchNotebook", () => {
  it("asks for the raw media type at the commit and returns text as UTF-8 bytes", async () => {
    const { octokit, calls } = octokitAnswering({ data: '{"é": 1}' });
    const result = await fetchNotebook(octokit, ref);
    expect(calls).toEqual([{ owner: "o", repo: "r", path: "dir/a b.ipynb", ref: "abc", headers: { accept: "application/vnd.github.raw" } }]);
    expect(result).toEqual({ kind: "file", bytes: Buffer.from('{"é": 1}'), text: '{"é": 1}' });
  });

  it("takes an ArrayBuffer as it is", async () => {
    const bytes = new TextEncoder().encode("{}");
    const result = await fetchNotebook(octokitAnswering({ data: bytes.buffer }).octokit, ref);
    expect(result).toEqual({ kind: "file", bytes: new Uint8Array(bytes) });
  });

  it("decodes the JSON form's base64 content when a proxy ignored the media type", async () => {
    const result = await fetchNotebook(octokitAnswering({ data: { type: "file", encoding: "base64", content: Buffer.from("{}").toString("base64") } }).octokit, ref);
    expect(result).toMatchObject({ kind: "file", bytes: Buffer.from("{}") });
  });

  it("tells a submodule, a directory, a 404 and a too-large blob apart, and throws anything else", async () => {
    expect(await fetchNotebook(octokitAnswering({ data: { type: "submodule", submodule_git_url: "x" } }).octokit, ref)).toEqual({ kind: "submodule" });
    expect(await fetchNotebook(octokitAnswering({ data: [{ type: "file" }] }).octokit, ref)).toEqual({ kind: "not-found" });
    expect(await fetchNotebook(octokitAnswering({ error: httpError(404, "Not Found") }).octokit, ref)).toEqual({ kind: "not-found" });
    expect(await fetchNotebook(octokitAnswering({ error: httpError(403, "The requested blob is too large to fetch via the API") }).octokit, ref)).toEqual({ kind: "too-large" });
    await expect(fetchNotebook(octokitAnswering({ error: httpError(403, "Resource not accessible by integration") }).octokit, ref)).rejects.toMatchObject({ status: 403 });
    await expect(fetchNotebook(octokitAnswering({ error: httpError(500, "boom") }).octokit, ref)).rejects.toMatchObject({ status: 500 });
  });
});
