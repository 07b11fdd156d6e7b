import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SourceError } from "../../../src/runner/source/source-error.js";
import { DEFAULT_UNPACK_LIMITS, unpackArchive, type UnpackLimits } from "../../../src/runner/source/unpack-archive.js";
import { archiveEntries, makeTarball, type TarEntry } from "../../support/make-tarball.js";

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const TOP = `octo-ml-${SHA.slice(0, 7)}`;
const REPO = path.resolve(import.meta.dirname, "../../fixtures/source/repo");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-unpack-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function unpack(tarball: Buffer, limits: Partial<UnpackLimits> = {}, commit = SHA) {
  const archive = path.join(dir, "source.tar.gz");
  await writeFile(archive, tarball);
  return unpackArchive({ archive, dest: path.join(dir, "tree"), commit, limits: { ...DEFAULT_UNPACK_LIMITS, ...limits } });
}

async function refusal(tarball: Buffer, limits: Partial<UnpackLimits> = {}): Promise<SourceError> {
  const error = await unpack(tarball, limits).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SourceError);
  // Nothing half-unpacked: neither the tree nor its staging folder is left behind.
  expect(readdirSync(dir)).toEqual(["source.tar.gz"]);
  return error as SourceError;
}

const withEntries = (extra: TarEntry[]) => makeTarball({ comment: SHA, entries: archiveEntries(REPO, TOP, extra) });

describe("unpackArchive", () => {
  it("unpacks a git-archive tarball into the destination, without its top folder", async () => {
    const tree = await unpack(withEntries([{ path: "run.sh", content: "#!/bin/sh\n", mode: 0o775 }, { path: "link-to-utils", type: "symlink", linkname: "utils/data.py" }]));
    expect(tree.topFolder).toBe(TOP);
    expect(readFileSync(path.join(dir, "tree/notebooks/data/points.csv"), "utf8")).toBe(readFileSync(path.join(REPO, "notebooks/data/points.csv"), "utf8"));
    expect(readFileSync(path.join(dir, "tree/utils/data.py"), "utf8")).toContain("def load_points");
    expect(lstatSync(path.join(dir, "tree/run.sh")).mode & 0o777).toBe(0o755);
    expect(readlinkSync(path.join(dir, "tree/link-to-utils"))).toBe("utils/data.py");
    expect(tree.files).toBe(6);
    expect(tree.lfsPointers).toEqual([]);
  });

  it("takes long names from pax path records", async () => {
    const long = `${"deep/".repeat(30)}file.txt`;
    await unpack(withEntries([{ path: long, content: "x" }]));
    expect(readFileSync(path.join(dir, "tree", long), "utf8")).toBe("x");
  });

  it("detects Git LFS pointer files", async () => {
    const pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";
    const tree = await unpack(withEntries([{ path: "weights/model.pt", content: pointer }]));
    expect(tree.lfsPointers).toEqual(["weights/model.pt"]);
    expect(tree.lfsPointerCount).toBe(1);
  });

  it("replaces an earlier tree only once the new one is complete", async () => {
    await unpack(withEntries([]));
    await writeFile(path.join(dir, "tree", "stale.txt"), "from before");
    await unpack(withEntries([]));
    expect(existsSync(path.join(dir, "tree", "stale.txt"))).toBe(false);
    expect(existsSync(path.join(dir, "tree", "utils", "data.py"))).toBe(true);
  });

  describe("refuses hostile archives, leaving nothing behind", () => {
    it("path traversal with ..", async () => {
      const error = await refusal(withEntries([{ path: "../../etc/cron.d/evil", content: "* * * * * root sh\n" }]));
      expect(error.code).toBe("unsafe-entry");
      expect(error.message).toMatch(/climbs out of the tree/u);
    });

    it("an absolute path", async () => {
      const error = await refusal(makeTarball({ comment: SHA, entries: [{ path: `${TOP}/`, type: "dir" }, { path: "/tmp/evil", content: "x" }] }));
      expect(error.code).toBe("unsafe-entry");
      expect(error.message).toMatch(/absolute path/u);
    });

    it("an entry outside the top folder", async () => {
      const error = await refusal(makeTarball({ comment: SHA, entries: [...archiveEntries(REPO, TOP), { path: "elsewhere/file", content: "x" }] }));
      expect(error.message).toMatch(/outside the archive's top folder/u);
    });

    it("an absolute symlink", async () => {
      const error = await refusal(withEntries([{ path: "data/passwd", type: "symlink", linkname: "/etc/passwd" }]));
      expect(error.code).toBe("unsafe-entry");
      expect(error.message).toMatch(/absolute path "\/etc\/passwd"/u);
    });

    it("a relative symlink that climbs out of the tree", async () => {
      const error = await refusal(withEntries([{ path: "notebooks/up", type: "symlink", linkname: "../../.." }]));
      expect(error.message).toMatch(/resolves outside the repository/u);
    });

    it("a symlink that escapes only through another symlink", async () => {
      // Lexically x/up/.. is x, inside; through the link x/up -> .. it is the tree's parent.
      const error = await refusal(withEntries([{ path: "x/up", type: "symlink", linkname: ".." }, { path: "y", type: "symlink", linkname: "x/up/.." }]));
      expect(error.message).toMatch(/"y" -> "x\/up\/\.\." resolves outside/u);
    });

    it("a file written through a symlink", async () => {
      const error = await refusal(withEntries([{ path: "out", type: "symlink", linkname: "utils" }, { path: "out/x.py", content: "x" }]));
      expect(error.message).toMatch(/under the symlink "out"|collides/u);
    });

    it("a hard link to a path outside the tree", async () => {
      const error = await refusal(withEntries([{ path: "shadow", type: "hardlink", linkname: "/etc/shadow" }]));
      expect(error.code).toBe("unsafe-entry");
    });

    it("a device file and a FIFO", async () => {
      expect((await refusal(withEntries([{ path: "dev", type: "char-device" }]))).message).toMatch(/character device/u);
      expect((await refusal(withEntries([{ path: "pipe", type: "fifo" }]))).message).toMatch(/FIFO/u);
    });

    it("a 10 GB declared size, before reading any of it (pax size and base-256)", async () => {
      const pax = await refusal(withEntries([{ path: "huge.bin", content: "tiny", declaredSize: 10 * 1024 ** 3 }]));
      expect(pax.code).toBe("too-large");
      expect(pax.message).toMatch(/declares 10737418240 bytes/u);
      const gnu = await refusal(withEntries([{ path: "huge.bin", base256Size: 10 * 1024 ** 3 }]));
      expect(gnu.code).toBe("too-large");
    });

    it("more bytes or entries than the configured caps", async () => {
      expect((await refusal(withEntries([{ path: "a.bin", content: Buffer.alloc(5000) }]), { maxBytes: 4096 })).code).toBe("too-large");
      expect((await refusal(withEntries([]), { maxEntries: 3 })).message).toMatch(/more than 3 entries/u);
    });

    it("an archive of another commit (a force-pushed SHA)", async () => {
      const other = "0123456789abcdef0123456789abcdef01234567";
      const error = await refusal(makeTarball({ comment: other, entries: archiveEntries(REPO, TOP) }));
      expect(error.code).toBe("wrong-commit");
      expect(error.message).toContain(`for commit ${other}, not ${SHA}`);
    });

    it("a top folder that names another commit, and an archive without a commit id", async () => {
      expect((await refusal(makeTarball({ comment: SHA, entries: archiveEntries(REPO, "octo-ml-0123456") }))).code).toBe("wrong-commit");
      expect((await refusal(makeTarball({ comment: null, entries: archiveEntries(REPO, TOP) }))).message).toMatch(/carries no commit id/u);
    });

    it("a truncated archive and bytes that are not gzip", async () => {
      const whole = withEntries([]);
      expect((await refusal(whole.subarray(0, Math.floor(whole.length / 2)))).code).toBe("corrupt-archive");
      expect((await refusal(makeTarball({ comment: SHA, entries: archiveEntries(REPO, TOP), omitEnd: true }))).code).toBe("corrupt-archive");
      expect((await refusal(Buffer.from("<html>not a tarball</html>"))).code).toBe("corrupt-archive");
    });

    it("a damaged header checksum", async () => {
      const { gunzipSync, gzipSync } = await import("node:zlib");
      const tar = gunzipSync(withEntries([]));
      tar[512 * 2 + 10] = tar[512 * 2 + 10]! ^ 0xff; // a byte of the top folder's header name
      expect((await refusal(gzipSync(tar))).message).toMatch(/checksum does not match/u);
    });
  });
});

describe("unpackArchive on colliding entries", () => {
  it("refuses a file and a folder of the same name", async () => {
    const error = await refusal(withEntries([{ path: "clash", content: "x" }, { path: "clash/inner.txt", content: "y" }]));
    expect(error.code).toBe("unsafe-entry");
  });
});
