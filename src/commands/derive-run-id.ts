// `c…` runs come from comments; `b…` runs are baselines of a default-branch commit.
const RUN_ID = /^(?:c[1-9]\d{0,19}(?:-r[1-9]\d{0,5})?|b[0-9a-f]{12}-[0-9a-f]{8})$/;

/**
 * The run id of the run a comment triggered: `c<commentId>`, or `c<commentId>-r<n>` for the n-th
 * re-run of it. A redelivered webhook carries the same comment id and so names the same run, which
 * is what makes "exactly one job per command" checkable without a database. The id is lower-case
 * ASCII letters, digits and `-`: safe as a store key segment, a Batch job name part, a tag value
 * and a check run `external_id`.
 */
export function deriveRunId(commentId: number | bigint | string, options: { rerun?: number } = {}): string {
  const id = String(commentId);
  if (!/^[1-9]\d{0,19}$/.test(id)) {
    throw new RangeError(`A comment id is a positive integer; got ${JSON.stringify(String(commentId).slice(0, 40))}.`);
  }
  const rerun = options.rerun ?? 0;
  if (!Number.isSafeInteger(rerun) || rerun < 0 || rerun > 999_999) {
    throw new RangeError(`rerun must be an integer from 0 to 999999; got ${rerun}.`);
  }
  return rerun === 0 ? `c${id}` : `c${id}-r${rerun}`;
}

/** Whether `value` has the shape `deriveRunId` produces; use it on run ids typed by users. */
export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}

/**
 * The run id of the baseline of `notebook` at `commit`: `b<12 hex of the commit>-<8 hex of the
 * path>`. A redelivered push names the same run, so it trains once per commit and notebook.
 */
export function deriveBaselineRunId(commit: string, notebook: string): string {
  if (!/^[0-9a-f]{40}$/u.test(commit)) throw new RangeError("A baseline belongs to a full 40-hex commit SHA.");
  // FNV-1a over the UTF-8 bytes: stable, short and enough to tell a repository's notebooks apart.
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(notebook)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `b${commit.slice(0, 12)}-${hash.toString(16).padStart(8, "0")}`;
}
