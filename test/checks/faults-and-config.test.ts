import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseDeploymentPolicy } from "../../src/config/deployment-policy.js";
import { FileStore } from "../../src/storage/file-store.js";
import { RecordingCompute } from "../support/train-harness.js";
import { describe, expect, it } from "vitest";
import { checkNotebook } from "../../src/notebook/check-notebook.js";
import { addedFile as added, CONFIG_PATH as configPath, mockCheckRunAndComment, mockPullRequestReads, ORG_CONFIG_PATH, mockPullRequestFiles, REPO_PATH as repoPath } from "../support/pr-scopes.js";
import { BASE, contentsPath, HEAD, loadPayload, notebook, RAW_HEADERS, TOKEN, useTestHarness } from "../support/test-app.js";

const harness = useTestHarness();

const prEvent = () => ({ id: "delivery-42", name: "pull_request" as const, payload: loadPayload("pull_request.opened") as never });

function messages(): Array<Record<string, unknown>> {
  return harness.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("faults", () => {
  it("reports a notebook deleted since the event, a submodule and one over 100 MB as skipped lines, not a failure", async () => {
    await harness.load({ checkNotebook });
    let update: any;
    const github = mockPullRequestReads(harness.github(), [added("gone.ipynb"), added("vendor/lib.ipynb"), added("huge.ipynb"), added("ok.ipynb")]);
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 1 })
      .get(contentsPath("gone.ipynb", HEAD))
      .reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/repos/contents#get-repository-content" })
      .get(contentsPath("vendor/lib.ipynb", HEAD))
      .reply(200, { type: "submodule", submodule_git_url: "https://github.com/o/lib.git", name: "lib.ipynb", path: "vendor/lib.ipynb", sha: "abc" })
      .get(contentsPath("huge.ipynb", HEAD))
      .reply(403, { message: "This API returns blobs up to 100 MB in size. The requested blob is too large to fetch via the API.", errors: [{ code: "too_large" }] })
      .get(contentsPath("ok.ipynb", HEAD))
      .reply(200, notebook(["print('hi')"]), RAW_HEADERS);
    mockCheckRunAndComment(github, 1, { onUpdate: (body) => (update = body), comment: (body) => body.includes("⏭️ skipped: not found at ec26c3e") });
    await harness.probot.receive(prEvent());
    expect(update.conclusion).toBe("success");
    expect(update.output.summary).toContain("| gone\\.ipynb | ⏭️ skipped | – | – | – | not found at ec26c3e: deleted, renamed or moved into a submodule after the event");
    expect(update.output.summary).toContain("| vendor/lib\\.ipynb | ⏭️ skipped | – | – | – | a submodule, not a file of this repository");
    expect(update.output.summary).toContain("| huge\\.ipynb | ⏭️ skipped | – | – | – | over the 100 MB GitHub serves through its contents API");
    expect(update.output.summary).toContain("| ok\\.ipynb | ✅ ok |");
  });

  it("fails the check run with a useful, token-free message on any other error, logged with the delivery id", async () => {
    await harness.load({});
    let failure: any;
    const github = mockPullRequestReads(harness.github(), [added("a.ipynb")]);
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 5 })
      .get(contentsPath("a.ipynb", HEAD))
      .reply(500, { message: `upstream exploded while using token ${TOKEN} and Bearer abcdefghijklmnop.qrs` })
      .patch(`${repoPath}/check-runs/5`, (body) => Boolean((failure = body)))
      .reply(200, {});
    await harness.probot.receive(prEvent());
    expect(failure).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "nbtrain could not finish the check" } });
    expect(failure.output.summary).toContain("GitHub answered 500 to GET https://api.github.com/repos/Codertocat/Hello-World/contents/a.ipynb: upstream exploded while using token [REDACTED] and Bearer [REDACTED]");
    expect(failure.output.summary).toContain("delivery id `delivery-42`");
    expect(failure.output.summary).not.toContain(TOKEN);
    const error = messages().find((entry) => entry.msg === "notebook check failed");
    expect(error).toMatchObject({ level: 50, deliveryId: "delivery-42", event: "pull_request" });
    expect(String(error?.reason)).toContain("[REDACTED]");
  });

  it("creates a failed check run when the failure comes before the run started", async () => {
    await harness.load({});
    const github = mockPullRequestFiles(harness.github(), [added("a.ipynb")]);
    github
      .get(configPath)
      .reply(502, "Bad Gateway")
      .post(`${repoPath}/check-runs`, (body: any) => body.conclusion === "failure" && body.head_sha === HEAD && body.output.summary.includes("GitHub answered 502"))
      .reply(201, { id: 8 });
    await harness.probot.receive(prEvent());
  });

  it("rejects the delivery, never silently, when the failure cannot even be reported", async () => {
    await harness.load({});
    const github = mockPullRequestReads(harness.github(), [added("a.ipynb")]);
    github
      .post(`${repoPath}/check-runs`)
      .reply(403, { message: "Resource not accessible by integration" })
      .post(`${repoPath}/check-runs`)
      .reply(403, { message: "Resource not accessible by integration" });
    await expect(harness.probot.receive(prEvent())).rejects.toThrow(/could not be reported on the check run/u);
    const errors = messages().filter((entry) => entry.level === 50);
    expect(errors.slice(0, 2).map((entry) => [entry.msg, entry.deliveryId])).toEqual([
      ["notebook check failed", "delivery-42"],
      ["could not mark the check run as failed", "delivery-42"],
    ]);
    // Probot's own error handler logs the rejection too, under the delivery id.
    expect(errors[2]).toMatchObject({ id: "delivery-42", msg: expect.stringContaining("could not be reported on the check run") });
  });
});

describe("repository config", () => {
  it("fails the check run with the message naming the key when the config has wrong types", async () => {
    await harness.load({});
    let failure: any;
    const github = mockPullRequestFiles(harness.github(), [added("a.ipynb")]);
    github
      .get(configPath)
      .reply(200, "include: notebooks/**\nrules:\n  secret: loud\nlimits:\n  output_bytes: lots\n", RAW_HEADERS)
      .post(`${repoPath}/check-runs`, (body) => Boolean((failure = body)))
      .reply(201, { id: 3 });
    await harness.probot.receive(prEvent());
    expect(failure).toMatchObject({ name: "nbtrain / notebooks", head_sha: HEAD, status: "completed", conclusion: "failure", output: { title: "Invalid .github/nbtrain.yml" } });
    expect(failure.output.summary).toContain("include: expected a list of glob strings");
    expect(failure.output.summary).toContain("rules.secret: expected one of off, info, warning, error");
    expect(failure.output.summary).toContain("limits.output_bytes");
  });

  it("fails the check run naming each train key outside the deployment's allow-lists, with what the operator allows", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "nbtrain-policy-check-"));
    const storeUri = `file://${dir}`;
    try {
      const policy = parseDeploymentPolicy({ NBTRAIN_BATCH_QUEUES: "nbtrain,team-*", NBTRAIN_MAX_GPUS: "2" }, storeUri);
      await harness.load({ train: { compute: new RecordingCompute(), store: new FileStore(dir), storeUri, policy, backend: "aws-batch" } });
      let failure: any;
      const github = mockPullRequestFiles(harness.github(), [added("a.ipynb")]);
      github
        .get(configPath)
        .reply(200, "train:\n  gpus:\n    t4: { queue: team-a, job_definition: admin-role, vcpus: 4, memory: 16GiB }\n    big: { queue: other, job_definition: nbtrain-runner:3, vcpus: 8, memory: 15GiB }\n  limits:\n    max_gpus: 4\n", RAW_HEADERS)
        .post(`${repoPath}/check-runs`, (body) => Boolean((failure = body)))
        .reply(201, { id: 3 });
      await harness.probot.receive(prEvent());
      expect(failure).toMatchObject({ name: "nbtrain / notebooks", conclusion: "failure", output: { title: "Training settings outside this deployment's allow-lists" } });
      const lines = (failure.output.summary as string).split("\n").filter((line) => line.startsWith("- "));
      expect(lines).toEqual([
        "- `train.gpus.t4.job_definition`: `admin-role` is not a job definition this deployment allows (`nbtrain-runner`, `nbtrain-runner-*`, NBTRAIN_BATCH_JOB_DEFINITIONS).",
        "- `train.gpus.big.queue`: `other` is not a job queue this deployment allows (`nbtrain`, `team-*`, NBTRAIN_BATCH_QUEUES).",
        "- `train.limits.max_gpus`: 4 is more GPUs than this deployment allows a run (2, NBTRAIN_MAX_GPUS).",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails the check run on YAML that does not parse", async () => {
    await harness.load({});
    const github = mockPullRequestFiles(harness.github(), [added("a.ipynb")]);
    github
      .get(configPath)
      .reply(200, "rules: [unclosed\n", RAW_HEADERS)
      .post(`${repoPath}/check-runs`, (body: any) => body.conclusion === "failure" && body.output.summary.startsWith(".github/nbtrain.yml is not valid YAML"))
      .reply(201, { id: 3 });
    await harness.probot.receive(prEvent());
  });

  it("applies include/exclude globs and rule severities, with org defaults from the .github repository", async () => {
    let update: any;
    await harness.load({ checkNotebook });
    const github = mockPullRequestFiles(harness.github(), [added("notebooks/a.ipynb"), added("notebooks/scratch/b.ipynb"), added("other/c.ipynb")]);
    github
      .get(configPath)
      .reply(404, { message: "Not Found" })
      .get(ORG_CONFIG_PATH)
      .reply(200, "include: ['notebooks/**']\nexclude: ['**/scratch/**']\nrules:\n  missing-kernelspec: error\n", RAW_HEADERS)
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 4 })
      .get(contentsPath("notebooks/a.ipynb", HEAD))
      .reply(200, JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }), RAW_HEADERS);
    mockCheckRunAndComment(github, 4, { onUpdate: (body) => (update = body) });
    await harness.probot.receive(prEvent());
    expect(update.conclusion).toBe("failure");
    expect(update.output.annotations).toEqual([expect.objectContaining({ path: "notebooks/a.ipynb", annotation_level: "failure", title: "missing-kernelspec" })]);
  });

  it("writes nothing when the config excludes every changed notebook", async () => {
    await harness.load({});
    const github = mockPullRequestFiles(harness.github(), [added("scratch/x.ipynb")]);
    github
      .get(configPath)
      .reply(200, "exclude: ['scratch/**']\n", RAW_HEADERS);
    await harness.probot.receive(prEvent());
    expect(messages().map((entry) => entry.msg)).toContain("changed notebooks are all excluded by .github/nbtrain.yml; nothing to check");
  });
});

describe("base versions", () => {
  it("compares a renamed notebook with its previous path at the base", async () => {
    await harness.load({});
    const github = mockPullRequestReads(harness.github(), [{ filename: "new/name.ipynb", previous_filename: "old name.ipynb", status: "renamed", sha: "s", additions: 0, deletions: 0, changes: 0 }]);
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 9 })
      .get(contentsPath("new/name.ipynb", HEAD))
      .reply(200, notebook(["a", "b"]), RAW_HEADERS)
      .get(contentsPath("old name.ipynb", BASE))
      .reply(200, notebook(["a"]), RAW_HEADERS);
    mockCheckRunAndComment(github, 9, { comment: (body) => body.includes("| **source changed**: +1 −0 cells |") });
    await harness.probot.receive(prEvent());
  });
});
