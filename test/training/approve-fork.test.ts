import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ForkApprovals } from "../../src/runs/fork-approvals.js";
import { FileStore } from "../../src/storage/file-store.js";
import { approveFork } from "../../src/training/approve-fork.js";

const sha1 = "1111111111111111111111111111111111111111";
const sha2 = "2222222222222222222222222222222222222222";

describe("approveFork", () => {
  const base = { number: 7, base: { repo: { id: 1 } } };
  it("records a maintainer's approval of a fork's commit, refuses a writer, and needs none on a branch of the repository", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "nbtrain-approve-"));
    try {
      const store = new FileStore(dir);
      const fork = { ...base, head: { sha: sha1, repo: { id: 2 } } };
      const at = new Date("2026-12-06T12:00:00Z");
      expect(await approveFork({ owner: "o", repo: "r", pull: fork, headSha: sha1, by: "w", permission: "write" }, { store }, at)).toMatchObject({ ok: false, message: expect.stringContaining("needs **maintain** or **admin**") });
      expect(await new ForkApprovals(store).find("o", "r", 7, sha1)).toBeNull();
      expect(await approveFork({ owner: "o", repo: "r", pull: { ...base, head: { sha: sha1, repo: { id: 1 } } }, headSha: sha1, by: "m", permission: "admin" }, { store }, at)).toMatchObject({ ok: false, message: expect.stringContaining("does not come from a fork") });
      expect(await approveFork({ owner: "o", repo: "r", pull: fork, headSha: sha1, by: "m", permission: "maintain" }, { store }, at)).toMatchObject({ ok: true });
      expect(await new ForkApprovals(store).find("o", "r", 7, sha1)).toMatchObject({ approvedBy: "m" });
      // A deleted fork (head.repo null) is still a fork.
      expect(await approveFork({ owner: "o", repo: "r", pull: { ...base, head: { sha: sha2, repo: null } }, headSha: sha2, by: "m", permission: "admin" }, { store }, at)).toMatchObject({ ok: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
