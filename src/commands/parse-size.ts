import { excerpt } from "./excerpt.js";
const MIB = 1024 * 1024;

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kib: 1024,
  mib: MIB,
  gib: 1024 * MIB,
  tib: 1024 * 1024 * MIB,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
};

/**
 * Parses a memory size such as `16GiB`, `64GB` or `512MiB` into whole MiB, rounding up, because
 * AWS Batch takes MEMORY in MiB. `GiB` is binary, `GB` decimal; a bare `G` or `Gi` means GiB as
 * in Docker and Kubernetes. Returns an error message rather than throwing.
 */
export function parseSize(input: string): { mib: number } | { error: string } {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)$/i.exec(input.trim());
  const bad = {
    error: `"${excerpt(input)}" is not a memory size: write a number with a unit, e.g. 512MiB, 16GiB or 64GB.`,
  };
  if (!match) return bad;
  let unit = match[2]!.toLowerCase();
  if (unit !== "b" && !unit.endsWith("b")) unit = `${unit[0]}ib`;
  const bytesPerUnit = UNIT_BYTES[unit];
  if (bytesPerUnit === undefined) return bad;
  const mib = Math.ceil((Number(match[1]) * bytesPerUnit) / MIB);
  if (!Number.isSafeInteger(mib) || mib <= 0 || Number(match[1]) === 0) {
    return { error: `"${excerpt(input)}" is not a positive memory size: ask for at least 1MiB.` };
  }
  return { mib };
}
