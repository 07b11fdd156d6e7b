import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { OpenApiContract } from "../support/openapi-contract.js";

/**
 * GitHub's REST API on loopback for the `/train` end-to-end tests: the endpoints the train flow
 * uses (permission, pull request, raw contents, reactions, check runs listed by ref, created and
 * updated, issue comments), served from in-memory state. Every request is recorded and checked
 * against GitHub's OpenAPI description. Paths start with /api/v3 (GHE_HOST/GHE_PROTOCOL).
 * A token request that names repositories gets a job token scoped as GitHub scopes it, and the
 * tarball endpoint answers as GitHub does: a 302 to a codeload-like server on its own loopback
 * port (another origin, as codeload.github.com is; outside the API, so not checked against the
 * OpenAPI description) that serves `archives`.
 */

export interface TrainCheckRun {
  id: number;
  name: string;
  head_sha: string;
  external_id?: string;
  status: string;
  conclusion?: string;
  output?: { title?: string; summary?: string };
  /** Every status this run was given, in order. */
  history: string[];
  /** The run page link, once set. */
  details_url?: string;
  /** Every output this run was given, in order (progress summaries, then the report). */
  outputs: Array<{ title?: string; summary?: string }>;
}

export interface TrainStandinState {
  token: string;
  pull: Record<string, unknown>;
  /** `${sha}:${path}` → text. */
  contents: Map<string, string>;
  permissions: Map<string, string>;
  checkRuns: Map<number, TrainCheckRun>;
  comments: Array<{ id: number; body: string; user: { login: string; type: string } }>;
  reactions: Array<{ commentId: number; content: string }>;
  /** The token a scoped (repositories + permissions) token request gets: the job's token. */
  jobToken: string;
  /** The body of every token request, in order. */
  tokenRequests: unknown[];
  /** Commit SHA → the gzip'd tar the tarball endpoint serves for it (to the job token only). */
  archives: Map<string, Buffer>;
  /** Pull requests by number; a number not here gets `pull`. */
  pulls: Map<number, Record<string, unknown>>;
  /** Head SHA → the merge base the compare API reports for it. */
  mergeBases: Map<string, string>;
  /** Commit SHA → its first-parent history, itself first, as the commits API lists it. */
  history: Map<string, string[]>;
  /** Commit SHA → the file paths of its tree, as the recursive trees API lists them. */
  trees: Map<string, string[]>;
}

export interface TrainStandin {
  host: string;
  state: TrainStandinState;
  /** `authorization` is set on a codeload request that carried one (it must not). */
  requests: Array<{ method: string; path: string; status: number; authorization?: true }>;
  close: () => Promise<void>;
}

const PREFIX = "/api/v3";

export async function startTrainStandin(options: { contract: OpenApiContract; token: string; jobToken?: string; pull: Record<string, unknown> }): Promise<TrainStandin> {
  const state: TrainStandinState = {
    token: options.token,
    pull: options.pull,
    contents: new Map(),
    permissions: new Map(),
    checkRuns: new Map(),
    comments: [],
    reactions: [],
    jobToken: options.jobToken ?? `${options.token}Job`,
    tokenRequests: [],
    archives: new Map(),
    pulls: new Map(),
    mergeBases: new Map(),
    history: new Map(),
    trees: new Map(),
  };
  let codeloadHost = "";
  const requests: TrainStandin["requests"] = [];
  let nextId = 5000;

  const route = (method: string, path: string, query: URLSearchParams, body: any, authorization: string | undefined): { status: number; body?: unknown; raw?: boolean; location?: string } => {
    let m: RegExpMatchArray | null;
    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/u.test(path)) {
      state.tokenRequests.push(body ?? null);
      if (Array.isArray(body?.repositories)) {
        // As GitHub answers a scoped request: the permissions asked for, plus metadata: read, which every token has.
        const permissions = { ...(body.permissions ?? {}), metadata: "read" };
        const repositories = body.repositories.map((name: string, index: number) => ({ id: 9000 + index, name, full_name: `Codertocat/${name}` }));
        return { status: 201, body: { token: state.jobToken, expires_at: "2099-01-01T00:00:00Z", permissions, repository_selection: "selected", repositories } };
      }
      return { status: 201, body: { token: state.token, expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" } };
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/tarball\/([0-9a-f]{40})$/u))) {
      // A private repository's archive: GitHub answers 404 without a token that can read it.
      if (authorization !== `Bearer ${state.jobToken}` && authorization !== `token ${state.jobToken}`) return { status: 404, body: { message: "Not Found" } };
      if (!state.archives.has(m[3]!)) return { status: 404, body: { message: "Not Found" } };
      return { status: 302, location: `http://${codeloadHost}/codeload/${m[1]}/${m[2]}/legacy.tar.gz/${m[3]}` };
    }
    if (method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/collaborators\/([^/]+)\/permission$/u))) {
      const level = state.permissions.get(decodeURIComponent(m[1]!));
      if (!level) return { status: 404, body: { message: "Not Found" } };
      return { status: 200, body: { permission: level, role_name: level, user: { login: m[1] } } };
    }
    if (method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)$/u))) return { status: 200, body: state.pulls.get(Number(m[1])) ?? state.pull };
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+)\/([^/]+)$/u))) return { status: 200, body: { name: m[2], full_name: `${m[1]}/${m[2]}`, default_branch: "master", private: true } };
    if (method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/compare\/[^.]+\.\.\.([0-9a-f]{40})$/u))) {
      const base = state.mergeBases.get(m[1]!);
      return base ? { status: 200, body: { merge_base_commit: { sha: base }, files: [], commits: [], status: "ahead" } } : { status: 404, body: { message: "Not Found" } };
    }
    if (method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/git\/trees\/([0-9a-f]{40})$/u))) {
      const files = state.trees.get(m[1]!);
      return files ? { status: 200, body: { sha: m[1], truncated: false, tree: files.map((file) => ({ path: file, mode: "100644", type: "blob", sha: "0".repeat(40), size: 1 })) } } : { status: 404, body: { message: "Not Found" } };
    }
    if (method === "GET" && /^\/repos\/[^/]+\/[^/]+\/commits$/u.test(path)) {
      const history = state.history.get(query.get("sha") ?? "") ?? [];
      return { status: 200, body: history.slice(0, Number(query.get("per_page") ?? 30)).map((sha) => ({ sha })) };
    }
    if (method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/u))) {
      const text = state.contents.get(`${query.get("ref")}:${decodeURIComponent(m[1]!)}`);
      return text === undefined ? { status: 404, body: { message: "Not Found" } } : { status: 200, body: text, raw: true };
    }
    if (method === "POST" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)\/reactions$/u))) {
      state.reactions.push({ commentId: Number(m[1]), content: body.content });
      return { status: 201, body: { id: nextId++, content: body.content } };
    }
    if (method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]+)\/check-runs$/u))) {
      const runs = [...state.checkRuns.values()].filter((run) => run.head_sha === m![1] && (!query.get("check_name") || run.name === query.get("check_name")));
      return { status: 200, body: { total_count: runs.length, check_runs: runs.map((run) => ({ id: run.id, name: run.name, external_id: run.external_id, status: run.status, html_url: null })) } };
    }
    if (method === "POST" && /^\/repos\/[^/]+\/[^/]+\/check-runs$/u.test(path)) {
      const run: TrainCheckRun = { id: nextId++, name: body.name, head_sha: body.head_sha, external_id: body.external_id, status: body.status ?? "queued", output: body.output, history: [body.status ?? "queued"], outputs: body.output ? [body.output] : [], ...(body.details_url ? { details_url: body.details_url } : {}) };
      state.checkRuns.set(run.id, run);
      return { status: 201, body: { id: run.id } };
    }
    if (method === "PATCH" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/u))) {
      const run = state.checkRuns.get(Number(m[1]));
      if (!run) return { status: 404, body: { message: "Not Found" } };
      if (body.status) run.status = body.status;
      if (body.conclusion) run.conclusion = body.conclusion;
      if (body.output) {
        run.output = body.output;
        run.outputs.push(body.output);
      }
      if (body.details_url) run.details_url = body.details_url;
      run.history.push(run.status);
      return { status: 200, body: { id: run.id } };
    }
    if ((m = path.match(/^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/u))) {
      if (method === "GET") return { status: 200, body: state.comments };
      const comment = { id: nextId++, body: String(body.body), user: { login: "nbtrain[bot]", type: "Bot" } };
      state.comments.push(comment);
      return { status: 201, body: comment };
    }
    if (method === "PATCH" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/u))) {
      const comment = state.comments.find((c) => c.id === Number(m![1]));
      if (!comment) return { status: 404, body: { message: "Not Found" } };
      comment.body = String(body.body);
      return { status: 200, body: comment };
    }
    return { status: 404, body: { message: `train stand-in does not serve ${method} ${path}` } };
  };

  // codeload.github.com: no API, no token (the redirect must not carry one), just the bytes.
  const codeload = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = url.pathname.match(/^\/codeload\/[^/]+\/[^/]+\/legacy\.tar\.gz\/([0-9a-f]{40})$/u);
    const archive = match ? state.archives.get(match[1]!) : undefined;
    requests.push({ method: req.method ?? "GET", path: url.pathname, status: archive ? 200 : 404, ...(req.headers.authorization ? { authorization: true } : {}) });
    res.writeHead(archive ? 200 : 404, { "content-type": "application/x-gzip", ...(archive ? { "content-length": String(archive.length) } : {}) });
    res.end(archive ?? "");
  });
  await new Promise<void>((resolve) => codeload.listen(0, "127.0.0.1", resolve));
  codeloadHost = `127.0.0.1:${(codeload.address() as AddressInfo).port}`;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
      const raw = Buffer.concat(chunks).toString("utf8");
      const body = raw ? JSON.parse(raw) : undefined;
      const method = req.method ?? "GET";
      const answer = route(method, path, url.searchParams, body, req.headers.authorization);
      options.contract.check(method, `${path}${url.search}`, body);
      requests.push({ method, path: `${path}${url.search}`, status: answer.status });
      const type = answer.raw ? "application/vnd.github.raw; charset=utf-8" : "application/json; charset=utf-8";
      res.writeHead(answer.status, { "content-type": type, ...(answer.location ? { location: answer.location } : {}) });
      res.end(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? ""));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    state,
    requests,
    close: async () => {
      for (const each of [server, codeload]) {
        await new Promise<void>((resolve, reject) => {
          each.closeAllConnections();
          each.close((error) => (error ? reject(error) : resolve()));
        });
      }
    },
  };
}
