import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shareConfigSchema } from "../../src/config/share-config.js";
import type { ExistingPermission, Grant } from "../../src/review-copies/plan/grant.js";
import { parseShareComment } from "../../src/review-copies/plan/parse-share-comment.js";
import { planPermissions } from "../../src/review-copies/plan/plan-permissions.js";
import { readShareSection } from "../../src/review-copies/plan/read-share-section.js";
import { resolveAudience } from "../../src/review-copies/plan/resolve-audience.js";
import { reviewCopyLocation } from "../../src/review-copies/plan/review-copy-location.js";
import { pathId, reviewCopyProperties } from "../../src/review-copies/plan/review-copy-properties.js";

describe("share config", () => {
  it("is off when absent, empty, without a folder, or enabled: false", () => {
    expect(readShareSection(undefined)).toEqual({ ok: true, settings: null, rest: undefined });
    expect(readShareSection({ rules: {} })).toEqual({ ok: true, settings: null, rest: { rules: {} } });
    expect(readShareSection({ share: null, include: ["x"] })).toEqual({ ok: true, settings: null, rest: { include: ["x"] } });
    expect(readShareSection({ share: { audience: "anyone" } })).toMatchObject({ ok: true, settings: null });
    expect(readShareSection({ share: { enabled: false, drive_folder: "1AbCdEfGhIjKlMn" } })).toMatchObject({ ok: true, settings: null });
  });

  it("reads a full section, with defaults, lower-cased logins and the rest left for the repo config", () => {
    const result = readShareSection({ include: ["nb/**"], share: { drive_folder: "1AbCdEfGhIjKlMn_-9", reviewer_emails: { OctoCat: "octo@example.com" } } });
    expect(result).toEqual({
      ok: true,
      rest: { include: ["nb/**"] },
      settings: { drive_folder: "1AbCdEfGhIjKlMn_-9", audience: "reviewers", role: "reader", reviewer_emails: { octocat: "octo@example.com" }, on_close: "trash" },
    });
    expect(shareConfigSchema.parse({})).toEqual({ audience: "reviewers", role: "reader", reviewer_emails: {}, on_close: "trash" });
  });

  it.each([
    [{ drive_folder: "1AbCdEfGhIjKlMn", role: "writer" }, "share.role: expected one of reader, commenter"],
    [{ drive_folder: "x' or name contains '" }, "share.drive_folder: expected a Drive folder id"],
    [{ drive_folder: "1AbCdEfGhIjKlMn", audience: "everyone" }, "share.audience: expected reviewers, anyone, { emails: [...] } or { domain: example.com }"],
    [{ drive_folder: "1AbCdEfGhIjKlMn", audience: { emails: ["not-an-email"] } }, "share.audience.emails.0: expected an email address"],
    [{ drive_folder: "1AbCdEfGhIjKlMn", reviewer_emails: { "bad login!": "a@example.com" } }, "share.reviewer_emails"],
    [{ drive_folder: "1AbCdEfGhIjKlMn", folder: "x" }, 'share: unknown key "folder"'],
    [{ enabled: true }, "share.drive_folder: share.enabled is true but share.drive_folder is not set"],
    [{ drive_folder: "1AbCdEfGhIjKlMn", on_close: "delete" }, "share.on_close: expected one of trash, keep"],
  ])("refuses %j with a message naming the key", (share, message) => {
    const result = readShareSection({ share });
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toContain(message);
  });
});

describe("resolveAudience", () => {
  const settings = { audience: "reviewers" as const, role: "commenter" as const, reviewer_emails: { octocat: "Octo@Example.com", hubot: "hubot@example.com", twin: "octo@example.com" } };

  it("maps reviewers' logins case-insensitively, deduplicates emails and lists the unmapped", () => {
    expect(resolveAudience(settings, ["OctoCat", "monalisa", "twin", "octocat", "Zed"])).toEqual({
      grants: [{ type: "user", emailAddress: "octo@example.com", role: "commenter" }],
      unmapped: ["monalisa", "zed"],
    });
  });

  it("gives a domain, anyone or a fixed list regardless of reviewers", () => {
    expect(resolveAudience({ ...settings, audience: { domain: "example.com" } }, ["x"])).toEqual({ grants: [{ type: "domain", domain: "example.com", role: "commenter" }], unmapped: [] });
    expect(resolveAudience({ ...settings, audience: "anyone", role: "reader" }, [])).toEqual({ grants: [{ type: "anyone", role: "reader" }], unmapped: [] });
    expect(resolveAudience({ ...settings, audience: { emails: ["b@x.org", "a@x.org"] } }, ["octocat"]).grants.map((g) => g.type === "user" && g.emailAddress)).toEqual(["a@x.org", "b@x.org"]);
  });

  it("does not read inherited object keys as logins", () => {
    expect(resolveAudience({ ...settings, reviewer_emails: {} }, ["constructor", "__proto__"])).toEqual({ grants: [], unmapped: ["__proto__", "constructor"] });
  });
});

describe("planPermissions", () => {
  const owner: ExistingPermission = { id: "o", type: "user", role: "owner", emailAddress: "bot@example.com" };

  it("adds the missing, removes the unwanted, keeps the owner and inherited ones, and swaps a changed role", () => {
    const existing: ExistingPermission[] = [
      owner,
      { id: "inh", type: "user", role: "writer", emailAddress: "team@example.com", inherited: true },
      { id: "keep", type: "user", role: "reader", emailAddress: "A@example.com" },
      { id: "gone", type: "user", role: "reader", emailAddress: "removed@example.com" },
      { id: "role", type: "domain", role: "reader", domain: "example.com" },
    ];
    const wanted: Grant[] = [
      { type: "user", emailAddress: "a@example.com", role: "reader" },
      { type: "user", emailAddress: "new@example.com", role: "reader" },
      { type: "domain", domain: "example.com", role: "commenter" },
    ];
    expect(planPermissions(existing, wanted)).toEqual({
      create: [
        { type: "user", emailAddress: "new@example.com", role: "reader" },
        { type: "domain", domain: "example.com", role: "commenter" },
      ],
      remove: ["gone", "role"],
    });
    expect(planPermissions(existing, [])).toEqual({ create: [], remove: ["keep", "gone", "role"] });
  });

  it("applying the plan leaves exactly the wanted grants (property)", () => {
    const email = fc.constantFrom("a@x.org", "b@x.org", "c@x.org");
    const role = fc.constantFrom("reader" as const, "commenter" as const);
    const grant: fc.Arbitrary<Grant> = fc.oneof(
      fc.record({ type: fc.constant("user" as const), emailAddress: email, role }),
      fc.record({ type: fc.constant("domain" as const), domain: fc.constantFrom("x.org", "y.org"), role }),
      fc.record({ type: fc.constant("anyone" as const), role }),
    );
    const key = (g: Grant) => `${g.type}:${g.type === "user" ? g.emailAddress : g.type === "domain" ? g.domain : ""}:${g.role}`;
    fc.assert(
      fc.property(fc.array(grant, { maxLength: 6 }), fc.uniqueArray(grant, { maxLength: 4, selector: key }), (existingGrants, wanted) => {
        const existing = existingGrants.map((g, i) => ({ ...g, id: `p${i}` }));
        const plan = planPermissions([owner, ...existing], wanted);
        const after = [...existing.filter((p) => !plan.remove.includes(p.id)), ...plan.create];
        expect(after.map(key).sort()).toEqual(wanted.map(key).sort());
        expect(plan.remove).not.toContain("o");
      }),
    );
  });
});

describe("where copies live and what they carry", () => {
  it("puts a copy under <repo>/pr-<number>/<path>", () => {
    expect(reviewCopyLocation("Hello-World", 7, "notebooks/deep/train.ipynb")).toEqual({ folders: ["Hello-World", "pr-7", "notebooks", "deep"], name: "train.ipynb" });
    expect(reviewCopyLocation("r", 1, "a.ipynb")).toEqual({ folders: ["r", "pr-1"], name: "a.ipynb" });
  });

  it("keeps every app property within Drive's 124 bytes, with a path id that tells long paths apart", () => {
    const long = `${"ü".repeat(80)}/${"deep/".repeat(30)}notebook-with-a-long-name.ipynb`;
    const props = reviewCopyProperties({ owner: "o".repeat(39), repo: "r".repeat(100), repoId: 123, prNumber: 456, path: long, sha: "a".repeat(40) });
    for (const [key, value] of Object.entries(props)) expect(Buffer.byteLength(key + value, "utf8")).toBeLessThanOrEqual(124);
    expect(props.nbtrain_path!.endsWith("notebook-with-a-long-name.ipynb")).toBe(true);
    expect(props.nbtrain_path!.startsWith("…")).toBe(true);
    expect(props.nbtrain_path_id).toBe(pathId(long));
    expect(pathId(long)).not.toBe(pathId(long.replace("deep/", "Deep/")));
    expect(props).toMatchObject({ nbtrain: "review-copy", nbtrain_repo_id: "123", nbtrain_pr: "456", nbtrain_sha: "a".repeat(40) });
  });
});

describe("parseShareComment", () => {
  it("reads /share with and without paths, shell-quoted, deduplicated", () => {
    expect(parseShareComment("/share")).toEqual({ ok: true, paths: [] });
    expect(parseShareComment("  /share a.ipynb \"my dir/b.ipynb\" ./a.ipynb\nthanks!")).toEqual({ ok: true, paths: ["a.ipynb", "my dir/b.ipynb"] });
  });

  it("is null for anything else", () => {
    for (const body of ["/shared", "/train a.ipynb", "please /share", "", "/Share"]) expect(parseShareComment(body)).toBeNull();
  });

  it("refuses paths that are not notebooks or leave the repository, and too many", () => {
    expect(parseShareComment("/share ../x.ipynb")).toMatchObject({ ok: false });
    expect(parseShareComment("/share /etc/passwd")).toMatchObject({ ok: false });
    expect(parseShareComment("/share data.csv")).toMatchObject({ ok: false, message: expect.stringContaining("must end in `.ipynb`") });
    expect(parseShareComment("/share 'open.ipynb")).toMatchObject({ ok: false });
    expect(parseShareComment(`/share ${Array.from({ length: 21 }, (_, i) => `n${i}.ipynb`).join(" ")}`)).toMatchObject({ ok: false, message: expect.stringContaining("at most 20") });
  });
});
