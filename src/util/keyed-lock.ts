const tails = new Map<string, Promise<unknown>>();

/**
 * Runs `task` after every earlier task with the same key has settled, in this process. Two
 * deliveries for one pull request (a command and its redelivery, a check and a run report) then
 * never interleave their read-modify-write steps.
 */
export function withKeyedLock<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(task);
  const settled = current.catch(() => undefined);
  tails.set(key, settled);
  void settled.then(() => {
    if (tails.get(key) === settled) tails.delete(key);
  });
  return current;
}
