import type { ShareSettings } from "../config/share-config.js";
import type { NotebookReport } from "../notebook/finding.js";
import type { ReviewCopy } from "../report/notebook-result.js";
import type { Grant } from "./plan/grant.js";
import { planPermissions } from "./plan/plan-permissions.js";
import { resolveAudience } from "./plan/resolve-audience.js";
import type { ReviewCopyDrive, ReviewCopyFile } from "./plan/review-copy-drive.js";
import { reviewCopyLocation } from "./plan/review-copy-location.js";
import { PROPERTY, pathId, reviewCopiesQuery, reviewCopyProperties } from "./plan/review-copy-properties.js";
import { ShareError } from "./plan/share-error.js";
import { describeError } from "../github/describe-error.js";

/** What review copies need from the deployment: a Drive client, opened only when a repository shares. */
export interface ShareDeps {
  openDrive: () => Promise<ReviewCopyDrive>;
}

/** The pull request whose notebooks are copied, at the commit being copied. */
export interface ReviewCopyPr {
  owner: string;
  repo: string;
  repoId: number;
  number: number;
  headSha: string;
}

/** The log calls this step makes (Probot's logger fits). */
export interface ShareLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Review copies for one pull request, as one check or `/share` makes them. */
export interface ReviewCopySession {
  /** Uploads (or updates) one notebook's copy and brings its permissions in line; never throws. */
  share(path: string, bytes: Uint8Array, report: NotebookReport): Promise<ReviewCopy>;
  /** Brings the permissions of the PR's other copies (earlier `/share`s) in line too; never throws. */
  finish(): Promise<void>;
  /** Brings the permissions of every copy of the PR in line, uploading nothing (a review request changed); never throws. */
  syncPermissions(): Promise<void>;
  /** Markdown sentences for the comment: Drive problems and reviewers without an email. */
  notes(): string[];
}

/**
 * Opens a session. `reviewers` are the PR's reviewers' logins, or null when they could not be read:
 * then no permission is changed, so a GitHub hiccup never takes access away. Nothing touches Drive
 * until the first `share`.
 */
export function openReviewCopySession(input: { deps: ShareDeps; settings: ShareSettings; pr: ReviewCopyPr; reviewers: readonly string[] | null; log: ShareLog }): ReviewCopySession {
  const { deps, settings, pr, log } = input;
  const audience = input.reviewers === null ? null : resolveAudience(settings, input.reviewers);
  const notes = new Set<string>();
  if (input.reviewers === null) notes.add("**Review copies:** the pull request's reviewers could not be read, so the copies' sharing was left as it was.");
  if (audience && audience.unmapped.length > 0) {
    notes.add(
      `**Review copies:** ${audience.unmapped.map((login) => `@${login}`).join(", ")} ${audience.unmapped.length === 1 ? "has" : "have"} no email in \`share.reviewer_emails\` of \`.github/nbtrain.yml\`, so the review copies are not shared with ${audience.unmapped.length === 1 ? "this reviewer" : "them"}.`,
    );
  }
  let stopped: ShareError | undefined;
  let drive: Promise<ReviewCopyDrive> | undefined;
  let copies: Promise<Map<string, ReviewCopyFile>> | undefined;
  const folders = new Map<string, Promise<string>>();
  const touched = new Set<string>();

  const openDrive = (): Promise<ReviewCopyDrive> => (drive ??= deps.openDrive());
  const listCopies = (): Promise<Map<string, ReviewCopyFile>> =>
    (copies ??= openDrive()
      .then((d) => d.listCopies(reviewCopiesQuery(pr.repoId, pr.number)))
      .then((files) => new Map(files.map((file) => [file.appProperties[PROPERTY.pathId] ?? "", file]))));

  /** The folder for `segments` under the share folder, found or created once per session. */
  const folderId = (d: ReviewCopyDrive, segments: readonly string[]): Promise<string> => {
    if (segments.length === 0) return Promise.resolve(settings.drive_folder);
    const key = segments.join("/");
    let promise = folders.get(key);
    if (!promise) {
      promise = folderId(d, segments.slice(0, -1)).then(async (parent) => {
        const name = segments.at(-1)!;
        return (await d.findFolder(parent, name)) ?? (await d.createFolder(parent, name));
      });
      folders.set(key, promise);
    }
    return promise;
  };

  const syncPermissions = async (d: ReviewCopyDrive, fileId: string, grants: readonly Grant[]): Promise<void> => {
    const plan = planPermissions(await d.listPermissions(fileId), grants);
    for (const id of plan.remove) await d.deletePermission(fileId, id);
    for (const grant of plan.create) await d.createPermission(fileId, grant);
  };

  const fail = (error: unknown, path: string | null): ShareError => {
    const shareError = error instanceof ShareError ? error : new ShareError("unavailable", `sharing failed unexpectedly: ${describeError(error)}`, { cause: error });
    log.warn({ kind: shareError.kind, path, reason: shareError.message }, "review copy failed");
    if (shareError.stopsSharing) {
      stopped ??= shareError;
      notes.add(`**Review copies were not made or updated:** ${stopped.message}`);
    } else {
      notes.add(`**Review copy${path ? ` of \`${path.replaceAll("`", "'")}\`` : "s"}:** ${shareError.message}`);
    }
    return shareError;
  };

  /** Every copy of the PR this session did not share itself: earlier `/share`s, renamed notebooks. */
  const syncUntouched = async (): Promise<void> => {
    if (stopped || !audience) return;
    try {
      const d = await openDrive();
      for (const [id, file] of await listCopies()) {
        if (!touched.has(id)) await syncPermissions(d, file.id, audience.grants);
      }
    } catch (error) {
      fail(error, null);
    }
  };

  return {
    async share(path, bytes, report) {
      const withheld = withholdReason(report);
      if (withheld) {
        log.info({ path }, "review copy withheld");
        return { kind: "withheld", reason: withheld };
      }
      if (stopped) return { kind: "failed", reason: stopped.message };
      let previous: { fileId: string; sha: string } | undefined;
      try {
        const d = await openDrive();
        const existing = (await listCopies()).get(pathId(path));
        touched.add(pathId(path));
        const properties = reviewCopyProperties({ owner: pr.owner, repo: pr.repo, repoId: pr.repoId, prNumber: pr.number, path, sha: pr.headSha });
        let fileId: string;
        if (existing) {
          fileId = existing.id;
          const held = existing.appProperties[PROPERTY.sha];
          if (held) previous = { fileId, sha: held };
          // A redelivered event finds the copy at this commit already: no new revision.
          if (held !== pr.headSha) await d.updateCopy(fileId, bytes, properties);
        } else {
          const location = reviewCopyLocation(pr.repo, pr.number, path);
          fileId = await d.createCopy(await folderId(d, location.folders), location.name, bytes, properties);
        }
        previous = { fileId, sha: pr.headSha };
        if (audience) await syncPermissions(d, fileId, audience.grants);
        log.info({ path, fileId, updated: existing !== undefined }, "review copy shared");
        return { kind: "shared", fileId, sha: pr.headSha };
      } catch (error) {
        const shareError = fail(error, path);
        return previous ? { kind: "failed", reason: shareError.message, previous } : { kind: "failed", reason: shareError.message };
      }
    },

    async finish() {
      // No notebook reached Drive in this session: nothing to finish, and no Drive call to make.
      if (copies) await syncUntouched();
    },

    syncPermissions: syncUntouched,

    notes: () => [...notes],
  };
}

/** Why a notebook must not leave GitHub, or null. Only the notebook itself is ever uploaded. */
function withholdReason(report: NotebookReport): string | null {
  if (report.findings.some((finding) => finding.rule === "secret" && finding.severity === "error")) {
    return "the notebook contains what looks like a secret (lint rule secret), so it was not copied to Google Drive. Remove the secret and rotate it, then push again.";
  }
  if (report.nbformat === null) return "the file is not a readable notebook, so it could not be scanned for secrets and was not copied to Google Drive.";
  return null;
}
