/** How a repository treats pull requests from forks (`train.forks` in `.github/nbtrain.yml`). */
export type ForkPolicy = "approve" | "allow" | "deny";

export type ForkTrust = { ok: true } | { ok: false; reason: "denied" | "needs-approval" | "approval-lapsed"; message: string };

/** What `/train approve` means, said in the replies that ask for it and in the one that grants it. */
export const APPROVAL_MEANING =
  "Approving trains exactly this commit of the fork: its notebook and code run on this repository's GPU job with a read-only token for this repository. A new push to the fork drops the approval; review the new commit and approve it again.";

/**
 * Whether a `/train` on a PR may run. The base repository's own branches always may. A fork's head
 * commit needs a maintainer's `/train approve` first (Prow's `/ok-to-test`), unless the repository
 * relaxed that (`allow`) or forbade fork training (`deny`). `approvedHead`: this commit has an approval on
 * record; `approvedEarlier`: an older commit of the PR had one, so the fork pushed since.
 */
export function judgeForkTrust(input: { isFork: boolean; headSha: string; policy: ForkPolicy; approvedHead: boolean; approvedEarlier: boolean }): ForkTrust {
  if (!input.isFork || input.policy === "allow") return { ok: true };
  if (input.policy === "deny") {
    return { ok: false, reason: "denied", message: "This repository does not train pull requests from forks (`train.forks: deny` in `.github/nbtrain.yml`), so nothing was submitted." };
  }
  if (input.approvedHead) return { ok: true };
  const sha = `\`${input.headSha.slice(0, 7)}\``;
  if (input.approvedEarlier) {
    return {
      ok: false,
      reason: "approval-lapsed",
      message: `The fork pushed since its last approval, so its new head ${sha} is not approved and nothing was submitted. A maintainer reviews it and comments \`/train approve\` (or clicks **Approve fork** on the check run); then comment \`/train\` again.\n\n${APPROVAL_MEANING}`,
    };
  }
  return {
    ok: false,
    reason: "needs-approval",
    message: `This pull request comes from a fork, and its head ${sha} is not approved for training, so nothing was submitted. A maintainer reviews it and comments \`/train approve\` (or clicks **Approve fork** on the check run); then comment \`/train\` again.\n\n${APPROVAL_MEANING}`,
  };
}
