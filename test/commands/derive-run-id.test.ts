import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveBaselineRunId, deriveRunId, isRunId } from "../../src/commands/derive-run-id.js";

describe("deriveBaselineRunId", () => {
  it("names one run per default-branch commit and notebook, which isRunId accepts", () => {
    const commit = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    const id = deriveBaselineRunId(commit, "notebooks/a.ipynb");
    expect(id).toMatch(/^bec26c3e57ca3-[0-9a-f]{8}$/u);
    expect(deriveBaselineRunId(commit, "notebooks/a.ipynb")).toBe(id);
    expect(deriveBaselineRunId(commit, "notebooks/b.ipynb")).not.toBe(id);
    expect(isRunId(id)).toBe(true);
    expect(isRunId("b123")).toBe(false);
    expect(() => deriveBaselineRunId("main", "a.ipynb")).toThrow(/40-hex/u);
  });
});

describe("deriveRunId", () => {
  it("is stable for a comment id, so a redelivered webhook names the same run", () => {
    expect(deriveRunId(1234567890)).toBe("c1234567890");
    expect(deriveRunId("1234567890")).toBe(deriveRunId(1234567890));
    expect(deriveRunId(2n ** 62n)).toBe("c4611686018427387904");
  });

  it("gives re-runs of one comment distinct ids", () => {
    expect(deriveRunId(42, { rerun: 1 })).toBe("c42-r1");
    expect(deriveRunId(42, { rerun: 0 })).toBe("c42");
  });

  it("refuses what is not a comment id", () => {
    expect(() => deriveRunId(0)).toThrow(/positive integer/);
    expect(() => deriveRunId(-5)).toThrow(/positive integer/);
    expect(() => deriveRunId("12/../x")).toThrow(/positive integer/);
    expect(() => deriveRunId(1.5)).toThrow(/positive integer/);
    expect(() => deriveRunId(7, { rerun: -1 })).toThrow(/rerun/);
  });

  it("produces only store-key, tag and job-name safe ids that isRunId recognises", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 19n }), fc.nat({ max: 999_999 }), (id, rerun) => {
        const runId = deriveRunId(id, { rerun });
        expect(runId).toMatch(/^[a-z0-9-]{2,40}$/);
        expect(isRunId(runId)).toBe(true);
      }),
    );
    expect(isRunId("c12/../../x")).toBe(false);
    expect(isRunId("C12")).toBe(false);
  });
});
