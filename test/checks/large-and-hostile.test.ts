import { describe, expect, it } from "vitest";
import { checkNotebook } from "../../src/notebook/check-notebook.js";
import { textSize } from "../../src/report/github-limits.js";
import { STICKY_MARKER } from "../../src/report/render-pr-comment.js";
import { addedFile as added, mockCheckRunAndComment, mockPullRequestReads, pullFilesPath as filesUrl, REPO_PATH as repoPath } from "../support/pr-scopes.js";
import { contentsPath, fakeChecker, HEAD, loadPayload, mockInstallationToken, mockNoConfig, notebook, RAW_HEADERS, useTestHarness } from "../support/test-app.js";

const harness = useTestHarness();
const prEvent = () => ({ id: "delivery-big", name: "pull_request" as const, payload: loadPayload("pull_request.opened") as never });
const link = (page: number) => `<https://api.github.com${filesUrl(page)}>; rel="next", <https://api.github.com${filesUrl(3)}>; rel="last"`;

describe("large and hostile pull requests", () => {
  it("checks 300 notebooks from three pages, 8 fetches in flight at most, annotations in batches of 50, and a comment within 65,536", async () => {
    // Long paths make the 300-row comment overflow GitHub's limit.
    const paths = Array.from({ length: 300 }, (_, i) => `notebooks/experiments/${"deep-folder-name/".repeat(8)}run ${String(i).padStart(3, "0")} #${i}?.ipynb`);
    const checker = fakeChecker(Object.fromEntries(paths.map((p, i) => [p, [{ severity: "error" as const, rule: "secret" as const, line: i + 1 }]])));
    await harness.load({ checkNotebook: checker });
    const updates: any[] = [];
    let comment = "";
    let inFlight = 0;
    let peak = 0;
    const github = harness.github();
    mockInstallationToken(github);
    github
      .get(filesUrl())
      .reply(200, paths.slice(0, 100).map(added), { link: link(2) })
      .get(filesUrl(2))
      .reply(200, paths.slice(100, 200).map(added), { link: link(3) })
      .get(filesUrl(3))
      .reply(200, paths.slice(200).map(added));
    mockNoConfig(github);
    github.post(`${repoPath}/check-runs`).reply(201, { id: 300 });
    for (const p of paths) {
      github.get(contentsPath(p, HEAD)).reply((_uri, _body, callback) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        setTimeout(() => {
          inFlight--;
          callback(null, [200, notebook(["x"]), RAW_HEADERS]);
        }, 5);
      });
    }
    mockCheckRunAndComment(github, 300, { onUpdate: (body) => updates.push(body), times: 6, comment: (body) => Boolean((comment = body)) });

    await harness.probot.receive(prEvent());

    expect(checker.calls).toHaveLength(300);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(8);
    expect(updates.map((u) => u.output.annotations?.length ?? 0)).toEqual([50, 50, 50, 50, 50, 50]);
    expect(updates.slice(0, 5).every((u) => u.status === undefined && u.conclusion === undefined)).toBe(true);
    expect(updates[5]).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "300 errors in 300 notebooks" } });
    expect(new Set(updates.flatMap((u) => u.output.annotations.map((a: { path: string }) => a.path))).size).toBe(300);
    expect(textSize(comment)).toBeLessThanOrEqual(65_536);
    expect(comment.startsWith(STICKY_MARKER)).toBe(true);
    expect(comment).toMatch(/…and \d+ more notebooks not shown, since a comment holds at most 65,536 characters: \d+ with errors, 0 skipped/u);
    expect(comment).toContain(`/blob/${HEAD}/notebooks/experiments/deep-folder-name/`);
    expect(comment).toContain("run%20000%20%230%3F.ipynb");
  });

  it("says when GitHub's 3,000-file list was reached", async () => {
    await harness.load({});
    let update: any;
    const names = Array.from({ length: 3000 }, (_, i) => (i === 1234 ? "found.ipynb" : `src/module_${i}.py`));
    const github = harness.github();
    mockInstallationToken(github);
    for (let page = 1; page <= 30; page++) {
      const next: Record<string, string> = page < 30 ? { link: `<https://api.github.com${filesUrl(page + 1)}>; rel="next"` } : {};
      github.get(filesUrl(page === 1 ? undefined : page)).reply(200, names.slice((page - 1) * 100, page * 100).map(added), next);
    }
    mockNoConfig(github);
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 30 })
      .get(contentsPath("found.ipynb", HEAD))
      .reply(200, notebook(["x"]), RAW_HEADERS);
    mockCheckRunAndComment(github, 30, { onUpdate: (body) => (update = body), comment: (body) => body.includes("GitHub lists at most 3,000 changed files of a pull request") });
    await harness.probot.receive(prEvent());
    expect(update.output.summary).toContain("GitHub lists at most 3,000 changed files of a pull request; notebooks beyond them were not checked.");
  });

  it("caps annotations and says so in the summary", async () => {
    const paths = Array.from({ length: 3 }, (_, i) => `nb${i}.ipynb`);
    const many = Array.from({ length: 50 }, (_, line) => ({ severity: "warning" as const, line: line + 1 }));
    await harness.load({ checkNotebook: fakeChecker(Object.fromEntries(paths.map((p) => [p, many]))), maxAnnotations: 120 });
    const updates: any[] = [];
    const github = mockPullRequestReads(harness.github(), paths.map(added));
    github.post(`${repoPath}/check-runs`).reply(201, { id: 7 });
    for (const p of paths) github.get(contentsPath(p, HEAD)).reply(200, notebook(["x"]), RAW_HEADERS);
    mockCheckRunAndComment(github, 7, { onUpdate: (body) => updates.push(body), times: 3 });
    await harness.probot.receive(prEvent());
    expect(updates.map((u) => u.output.annotations.length)).toEqual([50, 50, 20]);
    expect(updates[2].output.summary).toContain("Annotations are capped at 120 per check run: 120 of 150 are shown on the files, errors first");
  });

  it("fails on a notebook whose JSON is broken, with the annotation where the JSON breaks", async () => {
    await harness.load({ checkNotebook });
    let update: any;
    const broken = '{\n "cells": [\n  {"cell_type": "code", "source": ["x = 1"],,\n';
    const github = mockPullRequestReads(harness.github(), [added("broken.ipynb")]);
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 2 })
      .get(contentsPath("broken.ipynb", HEAD))
      .reply(200, broken, RAW_HEADERS);
    mockCheckRunAndComment(github, 2, { onUpdate: (body) => (update = body), comment: (body) => body.includes("not compared: head version: not valid JSON") });
    await harness.probot.receive(prEvent());
    const expected = checkNotebook("broken.ipynb", Buffer.from(broken)).findings.find((f) => f.rule === "invalid-json")!;
    expect(expected.line).toBe(3);
    expect(update.conclusion).toBe("failure");
    expect(update.output.annotations).toContainEqual(expect.objectContaining({ path: "broken.ipynb", annotation_level: "failure", start_line: 3, title: "invalid-json", message: expected.message }));
  });

  it("reads an ArrayBuffer answer (no charset) as the same bytes", async () => {
    const checker = fakeChecker({});
    await harness.load({ checkNotebook: checker });
    const bytes = Buffer.from(notebook(["print('é')"]));
    const github = mockPullRequestReads(harness.github(), [added("bin.ipynb")]);
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 2 })
      .get(contentsPath("bin.ipynb", HEAD))
      .reply(200, bytes, { "content-type": "application/vnd.github.raw" });
    mockCheckRunAndComment(github, 2);
    await harness.probot.receive(prEvent());
    expect(checker.calls).toEqual([{ path: "bin.ipynb", size: bytes.byteLength }]);
  });

  it("checks a 60 MB notebook with the real engine", async () => {
    await harness.load({ checkNotebook });
    let update: any;
    const line = `${"0123456789abcdef".repeat(8)}\n`;
    const text = line.repeat(Math.ceil((60 * 1024 * 1024) / line.length));
    const big = JSON.stringify({
      cells: [{ cell_type: "code", execution_count: 1, id: "big", metadata: {}, outputs: [{ name: "stdout", output_type: "stream", text }], source: ["print(data)"] }],
      metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" } },
      nbformat: 4,
      nbformat_minor: 5,
    });
    expect(big.length).toBeGreaterThan(60 * 1024 * 1024);
    const github = mockPullRequestReads(harness.github(), [added("data/big.ipynb")]);
    github
      .post(`${repoPath}/check-runs`)
      .reply(201, { id: 60 })
      .get(contentsPath("data/big.ipynb", HEAD))
      .reply(200, big, RAW_HEADERS);
    mockCheckRunAndComment(github, 60, { onUpdate: (body) => (update = body) });
    await harness.probot.receive(prEvent());
    const rules = update.output.annotations.map((a: { title: string }) => a.title.split(" ")[0]);
    expect(rules).toContain("notebook-size");
    expect(rules).toContain("output-size");
    expect(update.conclusion).toBe(update.output.annotations.some((a: { annotation_level: string }) => a.annotation_level === "failure") ? "failure" : "success");
  }, 120_000);
});
