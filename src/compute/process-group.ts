import { isSameProcessAlive } from "./process-identity.js";

/** Sends a signal to a whole process group; a group that is gone already is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/**
 * Stops a process group this server did not start (a runner left over from a previous server):
 * SIGTERM, SIGKILL after the grace period, and waits until the process is gone. The start time
 * tells the same process from a later one that reused its pid.
 */
export async function terminateGroup(pid: number, startTime: string | undefined, graceMs: number): Promise<void> {
  signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isSameProcessAlive(pid, startTime) && Date.now() < deadline) await sleep(100);
  if (isSameProcessAlive(pid, startTime)) signalGroup(pid, "SIGKILL");
  while (isSameProcessAlive(pid, startTime)) await sleep(50);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
