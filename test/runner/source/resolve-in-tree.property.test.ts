import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveInTree } from "../../../src/runner/source/resolve-in-tree.js";

// The link check is what keeps an archive's symlinks inside the tree, so it is compared with the
// kernel's own resolution: random link sets are made on disk, and for every link the kernel can
// resolve, resolveInTree must refuse it when it lands outside and, when it accepts it, agree where.
// (It may refuse a path that climbs out of the tree and back in; git trees have no such links.)
const LINKS = ["l1", "a/l2", "a/b/l3", "c/l4"];
// ".." is weighted, and "tree" lets a path climb out and come back in: refused, never misjudged.
const SEGMENTS = ["..", "..", "..", ".", "a", "b", "c", "tree", "l1", "l2", "l3", "l4"];

const linkSet = fc.uniqueArray(
  fc.record({
    at: fc.constantFrom(...LINKS),
    target: fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 5 }).map((segments) => segments.join("/")),
  }),
  { minLength: 1, maxLength: 4, selector: (link) => link.at },
);

describe("resolveInTree", () => {
  it("never accepts a link the kernel resolves outside the tree, and agrees on where accepted links land", () => {
    const seen = { inside: 0, outside: 0 };
    fc.assert(
      fc.property(linkSet, (links) => {
        const outer = mkdtempSync(path.join(tmpdir(), "nbtrain-links-"));
        try {
          const tree = path.join(outer, "tree");
          for (const folder of ["a/b", "c"]) mkdirSync(path.join(tree, folder), { recursive: true });
          const map = new Map(links.map((link) => [link.at, link.target]));
          for (const link of links) symlinkSync(link.target, path.join(tree, link.at));
          const realTree = realpathSync(tree);
          for (const link of links) {
            let real: string;
            try {
              real = realpathSync(path.join(tree, link.at));
            } catch {
              continue; // dangling or a loop: the kernel has no answer to compare with
            }
            const verdict = resolveInTree(link.at.split("/").slice(0, -1), link.target, map);
            const inside = real === realTree || real.startsWith(`${realTree}${path.sep}`);
            // Never accepted when it lands outside; when accepted, it lands exactly where the kernel says.
            if (!inside) expect({ link, verdict }).toEqual({ link, verdict: null });
            if (verdict !== null) expect({ link, at: verdict.join("/") }).toEqual({ link, at: path.relative(realTree, real).split(path.sep).join("/") });
            seen[inside ? "inside" : "outside"]++;
          }
        } finally {
          rmSync(outer, { recursive: true, force: true });
        }
      }),
      { numRuns: 500, seed: 20261127 },
    );
    // Both verdicts were really exercised, not skipped as dangling.
    expect(seen.inside).toBeGreaterThan(50);
    expect(seen.outside).toBeGreaterThan(20);
  });
});
