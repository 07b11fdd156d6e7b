import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { OpenApiContract } from "./openapi-contract.js";

/**
 * A small stand-in for GitHub's REST API on loopback, for end-to-end tests of the real server
 * process (pointed here with GHE_HOST/GHE_PROTOCOL, so paths start with /api/v3). It answers the
 * endpoints the app uses from in-memory state, records every request, and checks each against
 * GitHub's OpenAPI description when given a contract.
 */

export interface RecordedRequest {
  method: string;
  /** Path and query without the /api/v3 prefix. */
  path: string;
  /** Header names and values, with `authorization` reduced to its scheme. */
  headers: Record<string, string>;
  body: unknown;
  status: number;
}

export interface CheckRunState {
  id: number;
  name: string;
  head_sha: string;
  external_id?: string;
  status: string;
  conclusion?: string;
  output?: { title?: string; summary?: string; text?: string };
  annotations: unknown[];
  updates: number;
}

export interface StandinState {
  /** Installation token handed out; the test asserts it never reaches the logs. */
  token: string;
  /** Changed files of each pull request, as the PR files API lists them. */
  pullFiles: Map<number, Array<{ filename: string; status: string; previous_filename?: string }>>;
  /** File contents by `${sha}:${path}`. */
  contents: Map<string, string>;
  /** `.github/nbtrain.yml` of the repository, when it has one. */
  config?: string;
  checkRuns: Map<number, CheckRunState>;
  comments: Map<number, Array<{ id: number; body: string; user: { login: string; type: string }; performed_via_github_app?: { id: number } }>>;
  /** Files of the compare API, by `BASE...HEAD`. */
  compareFiles: Map<string, Array<{ filename: string; status: string }>>;
  /** The App's id, set as `performed_via_github_app` on the comments the app creates, as GitHub does. */
  appId?: number;
  /** Pull requests as `GET /pulls/{n}` answers them, for `/train`. */
  pulls: Map<number, Record<string, unknown>>;
  /** Repository permission of each user (`/train` needs write); unknown users have none. */
  permissions: Map<string, string>;
  reactions: Array<{ commentId: number; content: string }>;
  /** Status codes to answer (once each) for requests whose path starts with the key. */
  failOnce: Map<string, number>;
}

export interface GitHubStandin {
  /** `127.0.0.1:port`, for GHE_HOST. */
  host: string;
  requests: RecordedRequest[];
  state: StandinState;
  close: () => Promise<void>;
}

const PREFIX = "/api/v3";

export async function startGitHubStandin(options: { contract?: OpenApiContract; token: string }): Promise<GitHubStandin> {
  const state: StandinState = {
    token: options.token,
    pullFiles: new Map(),
    contents: new Map(),
    checkRuns: new Map(),
    comments: new Map(),
    compareFiles: new Map(),
    pulls: new Map(),
    permissions: new Map(),
    reactions: [],
    failOnce: new Map(),
  };
  const requests: RecordedRequest[] = [];
  let nextId = 1000;
  let origin = "";

  const route = (method: string, path: string, query: URLSearchParams, body: any): { status: number; body?: unknown; headers?: Record<string, string> } => {
    for (const [prefix, status] of state.failOnce) {
      if (path.startsWith(prefix)) {
        state.failOnce.delete(prefix);
        return { status, body: { message: `stand-in failure ${status}` } };
      }
    }
    let m: RegExpMatchArray | null;
    if (method === "POST" && (m = path.match(/^\/app\/installations\/(\d+)\/access_tokens$/u))) {
      return { status: 201, body: { token: state.token, expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" } };
    }
    if (method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/files$/u))) {
      const files = state.pullFiles.get(Number(m[1])) ?? [];
      const perPage = Number(query.get("per_page") ?? 30);
      const page = Number(query.get("page") ?? 1);
      const slice = files.slice((page - 1) * perPage, page * perPage).map((file) => ({ sha: "0", additions: 1, deletions: 0, changes: 1, ...file }));
      const headers: Record<string, string> = {};
      if (page * perPage < files.length) headers.link = `<${origin}${PREFIX}${path}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      return { status: 200, body: slice, headers };
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/u))) {
      const file = decodeURIComponent(m[3]!);
      if (file === ".github/nbtrain.yml") {
        return m[2] !== ".github" && state.config !== undefined
          ? { status: 200, body: state.config, headers: { "content-type": "application/vnd.github.raw; charset=utf-8" } }
          : { status: 404, body: { message: "Not Found" } };
      }
      const text = state.contents.get(`${query.get("ref")}:${file}`);
      if (text === undefined) return { status: 404, body: { message: "Not Found" } };
      return { status: 200, body: text, headers: { "content-type": "application/vnd.github.raw; charset=utf-8" } };
    }
    if (method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)$/u))) {
      const pull = state.pulls.get(Number(m[1]));
      return pull ? { status: 200, body: pull } : { status: 404, body: { message: "Not Found" } };
    }
    if (method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/collaborators\/([^/]+)\/permission$/u))) {
      const permission = state.permissions.get(decodeURIComponent(m[1]!)) ?? "none";
      return { status: 200, body: { permission, role_name: permission, user: { login: decodeURIComponent(m[1]!) } } };
    }
    if (method === "POST" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)\/reactions$/u))) {
      state.reactions.push({ commentId: Number(m[1]), content: body.content });
      return { status: 201, body: { id: nextId++, content: body.content } };
    }
    if (method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/compare\/(.+)$/u))) {
      const files = state.compareFiles.get(decodeURIComponent(m[1]!));
      if (!files) return { status: 404, body: { message: "Not Found" } };
      const listed = files.map((file, i) => ({ sha: `c${i}`, additions: 1, deletions: 0, changes: 1, ...file }));
      return { status: 200, body: { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1, commits: [], files: listed } };
    }
    if (method === "POST" && /^\/repos\/[^/]+\/[^/]+\/check-runs$/u.test(path)) {
      const run: CheckRunState = { id: nextId++, name: body.name, head_sha: body.head_sha, ...(body.external_id ? { external_id: body.external_id } : {}), status: body.status ?? "queued", annotations: [], updates: 0 };
      applyCheckRunUpdate(run, body);
      state.checkRuns.set(run.id, run);
      return { status: 201, body: { id: run.id, name: run.name, head_sha: run.head_sha, status: run.status } };
    }
    if (method === "PATCH" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/u))) {
      const run = state.checkRuns.get(Number(m[1]));
      if (!run) return { status: 404, body: { message: "Not Found" } };
      run.updates++;
      applyCheckRunUpdate(run, body);
      return { status: 200, body: { id: run.id, status: run.status, conclusion: run.conclusion ?? null } };
    }
    if ((m = path.match(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/u))) {
      const list = state.comments.get(Number(m[1])) ?? [];
      state.comments.set(Number(m[1]), list);
      if (method === "GET") {
        const perPage = Number(query.get("per_page") ?? 30);
        const page = Number(query.get("page") ?? 1);
        const headers: Record<string, string> = {};
        if (page * perPage < list.length) headers.link = `<${origin}${PREFIX}${path}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
        return { status: 200, body: list.slice((page - 1) * perPage, page * perPage), headers };
      }
      if (method === "POST") {
        const comment = { id: nextId++, body: String(body.body), user: { login: "nbtrain[bot]", type: "Bot" }, ...(state.appId ? { performed_via_github_app: { id: state.appId } } : {}) };
        list.push(comment);
        return { status: 201, body: comment };
      }
    }
    if (method === "DELETE" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/u))) {
      for (const list of state.comments.values()) {
        const at = list.findIndex((c) => c.id === Number(m![1]));
        if (at !== -1) {
          list.splice(at, 1);
          return { status: 204 };
        }
      }
      return { status: 404, body: { message: "Not Found" } };
    }
    if (method === "PATCH" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/u))) {
      for (const list of state.comments.values()) {
        const comment = list.find((c) => c.id === Number(m![1]));
        if (comment) {
          comment.body = String(body.body);
          return { status: 200, body: comment };
        }
      }
      return { status: 404, body: { message: "Not Found" } };
    }
    return { status: 404, body: { message: `stand-in does not serve ${method} ${path}` } };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", origin);
      const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const method = req.method ?? "GET";
      const answer = route(method, path, url.searchParams, body);
      options.contract?.check(method, `${path}${url.search}`, body);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers[name] = name === "authorization" ? value.split(" ")[0]! : value;
      }
      requests.push({ method, path: `${path}${url.search}`, headers, body, status: answer.status });
      const payload = answer.status === 204 ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? "");
      res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8", ...answer.headers });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function applyCheckRunUpdate(run: CheckRunState, body: any): void {
  if (body.status) run.status = body.status;
  if (body.conclusion) {
    run.conclusion = body.conclusion;
    run.status = "completed";
  }
  if (body.output) {
    run.output = { title: body.output.title, summary: body.output.summary, text: body.output.text ?? run.output?.text };
    if (Array.isArray(body.output.annotations)) run.annotations.push(...body.output.annotations);
  }
}
