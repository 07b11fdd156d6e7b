import { z } from "zod";
import type { Store } from "../storage/store.js";

const approvalSchema = z.object({
  format: z.literal("nbtrain-fork-approval/1"),
  headSha: z.string().regex(/^[0-9a-f]{40}$/u),
  approvedBy: z.string(),
  approvedAt: z.string(),
});

export type ForkApproval = z.output<typeof approvalSchema>;

/** The largest approval record read back; a real one is about 150 bytes. */
const MAX_BYTES = 4096;

/**
 * Approvals of a fork's head commit for training, kept in the store so that every instance of the
 * bot agrees: `approvals/<owner>/<repo>/<pr>/<head-sha>.json`. Keyed by the commit, an approval
 * lapses by itself when the fork pushes: the new head has no record.
 */
export class ForkApprovals {
  constructor(private readonly store: Store) {}

  key(owner: string, repo: string, pullNumber: number, headSha: string): string {
    return `approvals/${owner}/${repo}/${pullNumber}/${headSha}.json`;
  }

  async approve(owner: string, repo: string, pullNumber: number, headSha: string, approvedBy: string, at: Date): Promise<ForkApproval> {
    const approval: ForkApproval = { format: "nbtrain-fork-approval/1", headSha, approvedBy, approvedAt: at.toISOString() };
    const body = Buffer.from(`${JSON.stringify(approval)}\n`);
    await this.store.put(this.key(owner, repo, pullNumber, headSha), body, { size: body.byteLength, contentType: "application/json" });
    return approval;
  }

  /** Whether any commit of the PR was ever approved (to tell "approve it" from "the fork pushed since"). */
  async anyFor(owner: string, repo: string, pullNumber: number): Promise<boolean> {
    return (await this.store.list(`approvals/${owner}/${repo}/${pullNumber}/`)).length > 0;
  }

  /** The approval of exactly this head commit, or null. A damaged record counts as none, so training waits for a new approval. */
  async find(owner: string, repo: string, pullNumber: number, headSha: string): Promise<ForkApproval | null> {
    const key = this.key(owner, repo, pullNumber, headSha);
    const head = await this.store.head(key);
    if (head === null || head.size > MAX_BYTES) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
    try {
      const parsed = approvalSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      return parsed.success && parsed.data.headSha === headSha ? parsed.data : null;
    } catch {
      return null;
    }
  }
}
