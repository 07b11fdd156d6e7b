import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeAll, beforeEach, expect } from "vitest";
import { parseRepoConfig } from "../../src/config/load-repo-config.js";
import type { Finding, NotebookReport } from "../../src/notebook/finding.js";
import type { AppDeps } from "../../src/app/app-deps.js";
import { createApp } from "../../src/app/create-app.js";
import { loadTemplates } from "../../src/app/load-templates.js";
import { loadOpenApiContract, parseBody, type OpenApiContract } from "./openapi-contract.js";

export const API = "https://api.github.com";
/** What the installation token endpoint hands out in tests; it must never reach a log line. */
export const TOKEN = "ghs_TestInstallationToken0123456789abcdEF";
export const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
export const BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
export const FIXED_NOW = new Date("2026-11-27T12:00:00.000Z");

/**
 * Retry and throttling off, so a test sees each failure at once and writes are not spaced a second
 * apart. A defaults *function* is needed: Probot replaces a plain `throttle` default with its own
 * options object, which would turn throttling back on.
 */
export const QUIET_OCTOKIT = ProbotOctokit.plugin(recordRequests).defaults((options: Record<string, any>) => ({
  ...options,
  retry: { ...options.retry, enabled: false },
  throttle: { ...options.throttle, enabled: false },
}));

/** Every request the app's Octokit sends in the current test, so none can bypass the contract check. */
const appRequests: string[] = [];

function recordRequests(octokit: { hook: { before: (name: "request", hook: (options: any) => void) => void }; request: { endpoint: { parse: (options: any) => { method: string; url: string } } } }): void {
  octokit.hook.before("request", (options) => {
    const { method, url } = octokit.request.endpoint.parse(options);
    const { pathname, search } = new URL(url);
    appRequests.push(`${method} ${pathname}${search}`);
  });
}

export const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();

/** A webhook payload from test/fixtures/webhooks, shaped like GitHub's (taken from @octokit/webhooks-examples). */
export function loadPayload<T = Record<string, any>>(name: string): T {
  return JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../fixtures/webhooks", `${name}.json`), "utf8")) as T;
}

/** A small nbformat 4.5 notebook; each string is a code cell's source. */
export function notebook(sources: string[], outputs: Record<number, string> = {}): string {
  return `${JSON.stringify(
    {
      cells: sources.map((source, i) => ({
        cell_type: "code",
        execution_count: outputs[i] === undefined ? null : i + 1,
        id: `cell-${i}`,
        metadata: {},
        outputs: outputs[i] === undefined ? [] : [{ name: "stdout", output_type: "stream", text: [outputs[i]] }],
        source: source.split(/(?<=\n)/u),
      })),
      metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" }, language_info: { name: "python" } },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  )}\n`;
}

/**
 * A stand-in for checkNotebook with findings chosen by the test, so handler tests pin down the
 * app's behaviour and not the lint rules (those have their own tests). Bytes that are not JSON
 * get an `invalid-json` error, as the real engine gives.
 */
export function fakeChecker(findingsByPath: Record<string, Array<Partial<Finding> & Pick<Finding, "severity">>>): AppDeps["checkNotebook"] & { calls: Array<{ path: string; size: number }> } {
  const calls: Array<{ path: string; size: number }> = [];
  const check = (notebookPath: string, bytes: Uint8Array): NotebookReport => {
    calls.push({ path: notebookPath, size: bytes.byteLength });
    try {
      JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
    } catch {
      return { path: notebookPath, valid: false, nbformat: null, findings: [{ rule: "invalid-json", severity: "error", message: "not JSON", line: 1, column: 1 }] };
    }
    const findings = (findingsByPath[notebookPath] ?? []).map((f) => ({ rule: "error-output", message: `${f.severity} in ${notebookPath}`, ...f }) as Finding);
    return { path: notebookPath, valid: true, nbformat: "4.5", findings };
  };
  return Object.assign(check, { calls });
}

export interface TestHarness {
  probot: Probot;
  contract: OpenApiContract;
  logs: string[];
  /** nock scope on the API host whose every request is checked against GitHub's OpenAPI description. */
  github: () => nock.Scope;
  /** Mounts the app with these deps (templates and config parsing default to the real ones). */
  load: (deps: Partial<AppDeps>) => Promise<void>;
}

/**
 * Registers vitest hooks: network off but loopback, a fresh Probot per test (a generated key,
 * retry and throttling off so failures are immediate), a trace-level log capture, and after each
 * test: every mock used, no contract violation, no token in the logs.
 */
export function useTestHarness(): TestHarness {
  const harness = { logs: [] as string[] } as TestHarness;
  let templates: AppDeps["templates"];
  beforeAll(async () => {
    harness.contract = loadOpenApiContract();
    templates = await loadTemplates();
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/u);
  });
  beforeEach(() => {
    harness.logs.length = 0;
    harness.contract.checked.length = 0;
    appRequests.length = 0;
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        harness.logs.push(chunk.toString("utf8"));
        done();
      },
    });
    harness.probot = new Probot({
      appId: 1,
      privateKey,
      log: pino({ level: "trace" }, stream),
      Octokit: QUIET_OCTOKIT,
    });
    harness.load = async (deps) => {
      await harness.probot.load(createApp({ checkNotebook: fakeChecker({}), parseRepoConfig, templates, clock: () => FIXED_NOW, ...deps }));
    };
    harness.github = () => {
      const scope = nock(API);
      scope.on("request", (req: { method: string; path: string }, _interceptor: unknown, body: string) => {
        harness.contract.check(req.method, req.path, parseBody(body));
      });
      return scope;
    };
  });
  afterEach(() => {
    try {
      expect(harness.contract.violations()).toEqual([]);
      // Each request the app sent was served by a scope from harness.github(), so it was contract-checked.
      const checked = harness.contract.checked.map((request) => `${request.method} ${request.path}`);
      expect(appRequests.filter((request) => !checked.includes(request))).toEqual([]);
      expect(nock.pendingMocks()).toEqual([]);
      expect(harness.logs.join("")).not.toContain(TOKEN);
    } finally {
      nock.cleanAll();
    }
  });
  return harness;
}

/** Mocks the installation token exchange, as GitHub answers it. */
export function mockInstallationToken(scope: nock.Scope, installationId = 2): nock.Scope {
  return scope.post(`/app/installations/${installationId}/access_tokens`).reply(201, {
    token: TOKEN,
    expires_at: "2099-01-01T00:00:00Z",
    permissions: { checks: "write", contents: "read", pull_requests: "write", issues: "write", metadata: "read" },
    repository_selection: "all",
  });
}

/** Mocks `.github/nbtrain.yml` as absent in the repository and in the owner's `.github` repository. */
export function mockNoConfig(scope: nock.Scope, owner = "Codertocat", repo = "Hello-World"): nock.Scope {
  return scope
    .get(`/repos/${owner}/${repo}/contents/${encodeURIComponent(".github/nbtrain.yml")}`)
    .reply(404, { message: "Not Found" })
    .get(`/repos/${owner}/.github/contents/${encodeURIComponent(".github/nbtrain.yml")}`)
    .reply(404, { message: "Not Found" });
}

/** The raw-media-type reply GitHub gives for a file's contents. Requests must ask for it. */
export const RAW_HEADERS = { "content-type": "application/vnd.github.raw; charset=utf-8" };

/** The path Octokit requests for a file's raw contents at a ref. */
export function contentsPath(filePath: string, ref: string, owner = "Codertocat", repo = "Hello-World"): string {
  return `/repos/${owner}/${repo}/contents/${encodeURIComponent(filePath)}?ref=${ref}`;
}
