import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { CancelResult, Compute, JobSnapshot, JobStateEvent, JobStateListener, SubmitResult, TrainJob } from "../../src/compute/compute.js";
import type { TrainDeps } from "../../src/app/app-deps.js";
import { FileStore } from "../../src/storage/file-store.js";
import type nock from "nock";
import { CONFIG_PATH, REPO_PATH } from "./pr-scopes.js";
import { contentsPath, HEAD, loadPayload, mockInstallationToken, mockNoConfig, RAW_HEADERS } from "./test-app.js";
import { openPolicy } from "./open-policy.js";

/**
 * A Compute that records what the app asks of it and emits the events a test hands it, so the
 * handler tests pin down the app's side: one submit per command, the exact job, cancels.
 */
export class RecordingCompute implements Compute {
  readonly submitted: TrainJob[] = [];
  readonly cancelled: string[] = [];
  readonly snapshots = new Map<string, JobSnapshot>();
  cancelResult: CancelResult = "cancelled";
  failSubmit: Error | null = null;
  private readonly listeners = new Set<JobStateListener>();

  async submit(job: TrainJob): Promise<SubmitResult> {
    if (this.failSubmit) throw this.failSubmit;
    const existing = this.submitted.some((earlier) => earlier.runId === job.runId);
    if (!existing) this.submitted.push(job);
    return { backendJobId: `job-${job.runId}`, existing };
  }

  async cancel(runId: string): Promise<CancelResult> {
    this.cancelled.push(runId);
    return this.cancelResult;
  }

  async status(runId: string): Promise<JobSnapshot | null> {
    return this.snapshots.get(runId) ?? null;
  }

  subscribe(listener: JobStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async emit(event: JobStateEvent): Promise<void> {
    for (const listener of this.listeners) await listener(event);
  }
}

/** Train deps over a real file store in a fresh temporary folder. */
export function trainDeps(compute: Compute = new RecordingCompute()): TrainDeps & { root: string; dispose: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), "nbtrain-train-test-"));
  return { compute, store: new FileStore(root), storeUri: `file://${root}`, policy: openPolicy(`file://${root}`), backend: "local", root, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/** An issue_comment.created on PR #1 of Codertocat/Hello-World (installation 2) with `body`. */
export function commentPayload(body: string, patch: { id?: number; login?: string; userType?: string; state?: string; pr?: boolean } = {}): Record<string, any> {
  const payload = loadTrainPayload("issue_comment.created");
  payload.comment.body = body;
  if (patch.id !== undefined) payload.comment.id = patch.id;
  if (patch.login !== undefined) payload.comment.user.login = patch.login;
  if (patch.userType !== undefined) {
    payload.comment.user.type = patch.userType;
    payload.sender.type = patch.userType;
  }
  if (patch.state !== undefined) payload.issue.state = patch.state;
  if (patch.pr === false) delete payload.issue.pull_request;
  return payload;
}

export function loadTrainPayload(name: string): Record<string, any> {
  return JSON.parse(JSON.stringify(loadTrainFixture(name)));
}

function loadTrainFixture(name: string): unknown {
  return loadPayload(`../train/${name}`);
}

/** The pull request as `GET /pulls/1` answers it: the fixture PR, open, at `head`. */
export function pullRequest(patch: { head?: string; fork?: boolean; state?: string; merged?: boolean } = {}): Record<string, any> {
  const pr = loadPayload("pull_request.opened").pull_request;
  pr.number = 1;
  pr.head.sha = patch.head ?? HEAD;
  pr.state = patch.state ?? "open";
  pr.merged_at = patch.merged ? "2026-11-27T11:00:00Z" : null;
  if (patch.fork) {
    pr.head.repo = { ...pr.head.repo, full_name: "forker/Hello-World", fork: true, owner: { ...pr.head.repo.owner, login: "forker" } };
    pr.head.label = "forker:changes";
  }
  return pr;
}

/** A collaborator permission answer as GitHub gives it. */
export function permission(level: "admin" | "maintain" | "write" | "triage" | "read" | "none", login = "Codertocat"): Record<string, any> {
  const legacy = level === "maintain" ? "write" : level === "triage" ? "read" : level;
  return {
    permission: legacy,
    role_name: level,
    user: { login, id: 21031067, node_id: "MDQ6VXNlcjIxMDMxMDY3", avatar_url: "", gravatar_id: "", url: "", html_url: "", followers_url: "", following_url: "", gists_url: "", starred_url: "", subscriptions_url: "", organizations_url: "", repos_url: "", events_url: "", received_events_url: "", type: "User", site_admin: false },
  };
}

/**
 * The reads that open a `/train` on PR #1: the installation token, `.github/nbtrain.yml` (absent
 * unless `config` is given), the commenter's permission (`null`: not a collaborator, a 404) and,
 * unless `pr` is false, the pull request; with `notebook`, that notebook at the PR's head.
 */
export function mockCommandReads(
  scope: nock.Scope,
  options: {
    config?: string;
    permission?: Parameters<typeof permission>[0] | null;
    pr?: Parameters<typeof pullRequest>[0] | false;
    notebook?: { path: string; text: string };
  } = {},
): nock.Scope {
  const { config, permission: level = "write", pr = {}, notebook } = options;
  mockInstallationToken(scope);
  if (config === undefined) mockNoConfig(scope);
  else scope.get(CONFIG_PATH).reply(200, config, RAW_HEADERS);
  const permissionPath = `${REPO_PATH}/collaborators/Codertocat/permission`;
  if (level === null) scope.get(permissionPath).reply(404, { message: "Not Found" });
  else scope.get(permissionPath).reply(200, permission(level));
  if (pr !== false) scope.get(`${REPO_PATH}/pulls/1`).reply(200, pullRequest(pr));
  if (notebook) scope.get(contentsPath(notebook.path, (pr && pr.head) || HEAD)).reply(200, notebook.text, RAW_HEADERS);
  return scope;
}
