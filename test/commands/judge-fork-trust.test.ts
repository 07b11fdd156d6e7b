import { describe, expect, it } from "vitest";
import { APPROVAL_MEANING, judgeForkTrust } from "../../src/commands/judge-fork-trust.js";

const headSha = "0123456789abcdef0123456789abcdef01234567";

describe("judgeForkTrust", () => {
  it("trains the repository's own branches whatever the policy", () => {
    for (const policy of ["approve", "allow", "deny"] as const) expect(judgeForkTrust({ isFork: false, headSha, policy, approvedHead: false, approvedEarlier: false })).toEqual({ ok: true });
  });

  it("asks for a maintainer's approval of a fork's head by default, saying what approval means", () => {
    const trust = judgeForkTrust({ isFork: true, headSha, policy: "approve", approvedHead: false, approvedEarlier: false });
    expect(trust).toMatchObject({ ok: false, reason: "needs-approval" });
    expect(!trust.ok && trust.message).toContain("its head `0123456` is not approved for training, so nothing was submitted");
    expect(!trust.ok && trust.message).toContain(APPROVAL_MEANING);
    expect(judgeForkTrust({ isFork: true, headSha, policy: "approve", approvedHead: true, approvedEarlier: true })).toEqual({ ok: true });
  });

  it("says the fork pushed since when only an older commit was approved", () => {
    const trust = judgeForkTrust({ isFork: true, headSha, policy: "approve", approvedHead: false, approvedEarlier: true });
    expect(trust).toMatchObject({ ok: false, reason: "approval-lapsed", message: expect.stringContaining("The fork pushed since its last approval") });
  });

  it("follows the repository's relaxation or refusal", () => {
    expect(judgeForkTrust({ isFork: true, headSha, policy: "allow", approvedHead: false, approvedEarlier: false })).toEqual({ ok: true });
    expect(judgeForkTrust({ isFork: true, headSha, policy: "deny", approvedHead: true, approvedEarlier: true })).toMatchObject({ ok: false, reason: "denied", message: expect.stringContaining("`train.forks: deny`") });
  });
});
