import { describe, expect, it } from "vitest";
import { targetFromPush, type PushInfo } from "../../src/checks/target-from-push.js";

const push = (overrides: Partial<PushInfo> = {}): PushInfo => ({
  ref: "refs/heads/feature/x",
  before: "1".repeat(40),
  after: "2".repeat(40),
  deleted: false,
  repository: { owner: { login: "octo" }, name: "repo", default_branch: "main" },
  commits: [{ added: ["a.ipynb"], modified: ["b.ipynb"] }, { added: [], modified: ["a.ipynb"] }],
  ...overrides,
});

describe("targetFromPush", () => {
  it("checks a branch's new head against the commit before it, with the payload's paths once each", () => {
    expect(targetFromPush(push())).toEqual({
      kind: "push",
      owner: "octo",
      repo: "repo",
      headSha: "2".repeat(40),
      beforeSha: "1".repeat(40),
      branch: "feature/x",
      defaultBranch: "main",
      payloadPaths: ["a.ipynb", "b.ipynb"],
    });
  });

  it("has no base for a new branch", () => {
    expect(targetFromPush(push({ before: "0".repeat(40) }))).toMatchObject({ beforeSha: null });
  });

  it("says why deleted branches, tags and owner-less repositories are not checked", () => {
    expect(targetFromPush(push({ deleted: true }))).toBe("ignoring push that deleted refs/heads/feature/x");
    expect(targetFromPush(push({ after: "0".repeat(40) }))).toBe("ignoring push that deleted refs/heads/feature/x");
    expect(targetFromPush(push({ ref: "refs/tags/v1" }))).toBe("ignoring push to refs/tags/v1, which is not a branch");
    expect(targetFromPush(push({ repository: { owner: null, name: "repo", default_branch: "main" } }))).toBe("ignoring push whose repository has no owner login");
  });
});
