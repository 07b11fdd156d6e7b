import type { RunCheck } from "./run-check.js";

/**
 * Wraps `run` so that the checks of one pull request run one after another in this process, which
 * spares GitHub calls when deliveries come close together. Across instances the claims and the
 * self-healing sticky comment hold (see runNotebookCheck). Pushes run at once.
 */
export function runChecksInOrder(run: RunCheck): RunCheck {
  const queues = new Map<string, Promise<void>>();
  return async (context, target, request) => {
    if (target.kind !== "pull_request") return run(context, target, request);
    const key = `${target.owner}/${target.repo}#${target.number}`;
    const previous = queues.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(() => run(context, target, request));
    const settled = current.catch(() => undefined);
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return current;
  };
}
