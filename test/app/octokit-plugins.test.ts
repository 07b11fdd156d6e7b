import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { API, mockInstallationToken, privateKey } from "../support/test-app.js";

// The production server (src/app/start-server.ts) passes no Octokit to Probot, so it gets
// Probot's default: these tests build Probot the same way and watch the plugins act.
function productionProbot(): Probot {
  return new Probot({ appId: 1, privateKey, log: pino({ level: "silent" }) });
}

describe("Octokit retry and throttling in production", () => {
  beforeAll(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
  });

  it("retries a 5xx answer", async () => {
    const scope = nock(API);
    mockInstallationToken(scope);
    scope.get("/repos/o/r/pulls/1/files").reply(502, "Bad Gateway").get("/repos/o/r/pulls/1/files").reply(200, []);
    const octokit = await productionProbot().auth(2);
    const response = await octokit.rest.pulls.listFiles({ owner: "o", repo: "r", pull_number: 1 });
    expect(response.status).toBe(200);
    expect(scope.isDone()).toBe(true);
  });

  it("waits out a primary rate limit and retries", async () => {
    const scope = nock(API);
    mockInstallationToken(scope);
    const reset = String(Math.ceil(Date.now() / 1000) + 1);
    scope
      .get("/repos/o/r")
      .reply(403, { message: "API rate limit exceeded for installation ID 2." }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset })
      .get("/repos/o/r")
      .reply(200, { id: 1 });
    const octokit = await productionProbot().auth(2);
    const response = await octokit.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
    expect(response.data).toEqual({ id: 1 });
    expect(scope.isDone()).toBe(true);
  });

  it("does not retry a 404, which the app reports as a skipped file", async () => {
    const scope = nock(API);
    mockInstallationToken(scope);
    scope.get("/repos/o/r/contents/a.ipynb").reply(404, { message: "Not Found" });
    const octokit = await productionProbot().auth(2);
    await expect(octokit.rest.repos.getContent({ owner: "o", repo: "r", path: "a.ipynb" })).rejects.toMatchObject({ status: 404 });
    expect(scope.isDone()).toBe(true);
  });
});
