import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ForkApprovals } from "../../src/runs/fork-approvals.js";
import { FileStore } from "../../src/storage/file-store.js";

const sha1 = "1111111111111111111111111111111111111111";
const sha2 = "2222222222222222222222222222222222222222";

describe("ForkApprovals", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "nbtrain-approvals-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is shared through the store: what one instance approves, another finds, for that commit only", async () => {
    const first = new ForkApprovals(new FileStore(dir));
    const second = new ForkApprovals(new FileStore(dir));
    expect(await second.find("octo", "repo", 7, sha1)).toBeNull();
    expect(await second.anyFor("octo", "repo", 7)).toBe(false);
    await first.approve("octo", "repo", 7, sha1, "maintainer", new Date("2026-12-06T12:00:00Z"));
    expect(await second.find("octo", "repo", 7, sha1)).toEqual({ format: "nbtrain-fork-approval/1", headSha: sha1, approvedBy: "maintainer", approvedAt: "2026-12-06T12:00:00.000Z" });
    expect(await second.find("octo", "repo", 7, sha2)).toBeNull();
    expect(await second.anyFor("octo", "repo", 7)).toBe(true);
    expect(await second.anyFor("octo", "repo", 8)).toBe(false);
  });

  it("treats a damaged record as no approval", async () => {
    const store = new FileStore(dir);
    await store.put(new ForkApprovals(store).key("octo", "repo", 7, sha1), Buffer.from("{not json"));
    expect(await new ForkApprovals(store).find("octo", "repo", 7, sha1)).toBeNull();
  });
});
