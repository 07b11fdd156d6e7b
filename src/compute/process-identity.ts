import { readFileSync } from "node:fs";

function readStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is parenthesised and may hold spaces, so split after its `)`.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/**
 * The kernel's start time of a process (field 22 of `/proc/<pid>/stat`), or undefined where
 * there is no procfs. Stored with a pid, it tells a still-running process from a new one that
 * reused the pid, so a restart never signals a stranger.
 */
export function processStartTime(pid: number): string | undefined {
  return readStat(pid)?.[19];
}

/**
 * Whether `pid` is alive (not a zombie) and is the process that had `startTime`. Without procfs
 * the answer is false: an unverifiable pid is never signalled.
 */
export function isSameProcessAlive(pid: number, startTime: string | undefined): boolean {
  if (startTime === undefined) return false;
  const fields = readStat(pid);
  return fields !== undefined && fields[0] !== "Z" && fields[0] !== "X" && fields[19] === startTime;
}
