// npm run bench:source: how long nbtrain's guarded tar reader takes to verify and unpack a repository
// archive, against GNU tar (`tar -xzf`) unpacking the same archive in the same run.
//
// The archive is shaped like GitHub's tarball (pax global header with the commit id, one top
// folder): BENCH_FILES files (default 2,000) of mixed text and random bytes, about 25 MB unpacked.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { DEFAULT_UNPACK_LIMITS, unpackArchive } from "../src/runner/source/unpack-archive.js";

const FILES = Number(process.env.BENCH_FILES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SHA = "9fceb02d0ae598e95dc970b74767f19372d61af8";
const TOP = `octo-bench-${SHA.slice(0, 7)}`;

function header(name: string, type: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, "utf8");
  block.write(`${(type === "5" ? 0o755 : 0o644).toString(8).padStart(7, "0")}\0`, 100, "latin1");
  block.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "latin1");
  block.write(`${(1_700_000_000).toString(8).padStart(11, "0")}\0`, 136, "latin1");
  block.write(type, 156, "latin1");
  block.write("ustar\x0000", 257, "latin1");
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return block;
}

function pad(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

function archive(): Buffer {
  const parts: Buffer[] = [];
  const record = ` comment=${SHA}\n`;
  const length = record.length + String(record.length + 2).length;
  const pax = Buffer.from(`${length}${record}`);
  parts.push(header("pax_global_header", "g", pax.length), pad(pax), header(`${TOP}/`, "5", 0));
  for (let dir = 0; dir < FILES / 100; dir++) {
    parts.push(header(`${TOP}/pkg${dir}/`, "5", 0));
    for (let file = 0; file < 100 && dir * 100 + file < FILES; file++) {
      const text = Buffer.from(`def f${file}(x):\n    return x * ${file}\n`.repeat(300));
      const data = file % 4 === 0 ? randomBytes(20_000) : text.subarray(0, 20_000);
      parts.push(header(`${TOP}/pkg${dir}/m${file}.py`, "0", data.length), pad(data));
    }
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const dir = await mkdtemp(path.join(tmpdir(), "nbtrain-bench-source-"));
try {
  const file = path.join(dir, "source.tar.gz");
  const bytes = archive();
  await writeFile(file, bytes);
  const ours: number[] = [];
  const gnu: number[] = [];
  let unpacked = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const dest = path.join(dir, `ours-${round}`);
    let start = performance.now();
    const tree = await unpackArchive({ archive: file, dest, commit: SHA, limits: DEFAULT_UNPACK_LIMITS });
    ours.push(performance.now() - start);
    unpacked = tree.bytes;
    await rm(dest, { recursive: true, force: true });

    const target = path.join(dir, `gnu-${round}`);
    await mkdir(target);
    start = performance.now();
    execFileSync("tar", ["-xzf", file, "-C", target]);
    gnu.push(performance.now() - start);
    await rm(target, { recursive: true, force: true });
  }
  const oursMs = median(ours);
  const gnuMs = median(gnu);
  console.log(`archive: ${FILES} files, ${(bytes.length / 1e6).toFixed(1)} MB gzip, ${(unpacked / 1e6).toFixed(1)} MB unpacked; median of ${ROUNDS} rounds`);
  console.log(`nbtrain unpackArchive (verify + guards + staging rename): ${oursMs.toFixed(0)} ms (${(unpacked / 1e6 / (oursMs / 1000)).toFixed(0)} MB/s)`);
  console.log(`baseline tar -xzf:                                        ${gnuMs.toFixed(0)} ms`);
  console.log(`ratio nbtrain / tar: ${(oursMs / gnuMs).toFixed(2)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
