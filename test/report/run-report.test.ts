import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { composeStickyComment, RUNS_END, RUNS_START } from "../../src/report/compose-sticky-comment.js";
import { GITHUB_LIMITS, textSize } from "../../src/report/github-limits.js";
import { renderMetricsChart } from "../../src/report/render-metrics-chart.js";
import { STICKY_MARKER } from "../../src/report/render-pr-comment.js";
import { renderRunReport } from "../../src/report/render-run-report.js";
import { renderStatusTable } from "../../src/report/render-status-table.js";
import { runLinks } from "../../src/report/run-links.js";
import type { RunReportInput, RunResultView } from "../../src/report/run-report-input.js";

function result(patch: Partial<RunResultView> = {}): RunResultView {
  return {
    status: "completed",
    attempt: 1,
    started_at: "2026-11-27T11:00:00Z",
    finished_at: "2026-11-27T11:02:05Z",
    duration_seconds: 125,
    resumed: false,
    restored_sequence: null,
    checkpoint_sequence: 4,
    cells_total: 6,
    cells_executed: 6,
    metrics: { loss: 0.1234567, accuracy: 0.97, note: "ok | fine" },
    metrics_points: 3,
    parameters: {},
    failure: null,
    warnings: [],
    ...patch,
  };
}

function input(patch: Partial<RunReportInput> = {}): RunReportInput {
  return {
    runId: "c42",
    notebook: "notebooks/mnist.ipynb",
    conclusion: "success",
    attempt: 1,
    interruptions: [],
    result: result(),
    series: [
      { step: 10, loss: 0.9, accuracy: 0.4 },
      { step: 20, loss: 0.4, accuracy: 0.8 },
      { step: 30, loss: 0.1234567, accuracy: 0.97 },
    ],
    links: runLinks("file:///srv/nbtrain", "runs/o/r/c42/", { kind: "file", path: "/srv/nbtrain/local/logs/c42/attempt-1.log" }),
    ...patch,
  };
}

describe("renderRunReport", () => {
  it("reports a success: what ran, the metrics table, one chart per metric and the links", () => {
    const report = renderRunReport(input());
    expect(report.conclusion).toBe("success");
    expect(report.title).toBe("✅ trained: notebooks/mnist.ipynb in 2m5s");
    expect(report.summary).toContain("| `c42` | completed | 2m5s | 1 | 6 of 6 |");
    expect(report.summary).toContain("| Metric | Value |\n|---|---:|\n| loss | 0.1235 |\n| accuracy | 0.97 |\n| note | ok \\| fine |");
    expect(report.summary).not.toContain("Compared with");
    expect(report.summary).toContain('```mermaid\nxychart-beta\n  title "loss"\n  x-axis "step" [10, 20, 30]\n  y-axis "loss"\n  line [0.9, 0.4, 0.123457]\n```');
    expect(report.summary).toContain('  title "accuracy"');
    expect(report.summary).not.toContain('title "note"');
    expect(report.summary).toContain("- Executed notebook: `/srv/nbtrain/runs/o/r/c42/output.ipynb`");
    expect(report.summary).toContain("- Checkpoints: `/srv/nbtrain/runs/o/r/c42/checkpoints/`");
    expect(report.summary).not.toContain("#### Failure");
    expect(report.summary).not.toContain("log lines");
  });

  it("shows deltas against the baseline of a default-branch commit and says which commit", () => {
    const commit = "1234567890abcdef1234567890abcdef12345678";
    const report = renderRunReport(input({ baseline: { commit, branch: "main", relation: "earlier", metrics: { loss: 0.2, accuracy: 0.97, note: "ok | fine" } } }));
    expect(report.summary).toContain("| Metric | Value | Baseline | Δ vs main at `1234567` |");
    expect(report.summary).toContain("| loss | 0.1235 | 0.2 | −0.0765 (−38%) |");
    expect(report.summary).toContain("| accuracy | 0.97 | 0.97 | ±0 |");
    expect(report.summary).toContain("| note | ok \\| fine | ok \\| fine | = |");
    expect(report.summary).toContain(`Compared with the nearest earlier baseline (the merge base has none): \`${commit}\` on \`main\`.`);
  });

  it("without a baseline says why and offers /train baseline; a baseline run says whose baseline it is", () => {
    const none = renderRunReport(input({ baselineNote: "No baseline of this notebook exists on `main` yet. A maintainer can comment `/train baseline` on this PR to train one at the merge base." }));
    expect(none.summary).toContain("| Metric | Value |\n|---|---:|");
    expect(none.summary).toContain("/train baseline");
    const own = renderRunReport(input({ baselineOf: { branch: "main", commit: "abcdef0123456789abcdef0123456789abcdef01" } }));
    expect(own.summary).toContain("(baseline of `main` at `abcdef0`)");
    expect(own.summary).toContain("Recorded as the baseline of `main` at `abcdef0123456789abcdef0123456789abcdef01`.");
  });

  it("reports a failure with the failing cell, ename, evalue and the log's last 30 lines", () => {
    const log = Array.from({ length: 45 }, (_, i) => `line ${i + 1}`).join("\n");
    const report = renderRunReport(
      input({
        conclusion: "failure",
        reason: "the runner exited with code 1; see its log",
        result: result({ status: "failed", cells_executed: 3, failure: { cell_index: 2, ename: "ZeroDivisionError", evalue: "division by zero" } }),
        logTail: log,
      }),
    );
    expect(report.title).toBe("❌ failed: notebooks/mnist.ipynb in 2m5s");
    expect(report.summary).toContain("**Why:** the runner exited with code 1; see its log");
    expect(report.summary).toContain("#### Failure\n\nCell 3 raised `ZeroDivisionError`:\n\n```text\ndivision by zero\n```");
    expect(report.summary).toContain("<summary>Last 30 log lines</summary>\n\n```text\nline 16\n");
    expect(report.summary).toContain("line 45\n```");
    expect(report.summary).not.toContain("line 15\n");
  });

  it("gives the out-of-memory hint with the memory the run had", () => {
    const report = renderRunReport(input({ conclusion: "failure", result: null, outOfMemory: { memoryMiB: 16384 } }));
    expect(report.summary).toContain("Out of memory at 16 GiB: try `--memory 64GiB` or a smaller batch size.");
    expect(renderRunReport(input({ conclusion: "failure", result: null, outOfMemory: { memoryMiB: 1536 } })).summary).toContain("Out of memory at 1.5 GiB: try `--memory 6GiB`");
  });

  it("counts the interruptions survived and lists why", () => {
    const report = renderRunReport(input({ attempt: 3, interruptions: ["attempt 1: Host EC2 (instance i-0abc) terminated.", "attempt 2: the runner was killed by SIGKILL"], result: result({ attempt: 3, resumed: true, restored_sequence: 2 }) }));
    expect(report.summary).toContain("| 3 (2 interruptions survived) |");
    expect(report.summary).toContain("Survived 2 interruptions, resuming from the latest checkpoint each time:\n- attempt 1: Host EC2 \\(instance i\\-0abc\\) terminated\\.\n- attempt 2:");
  });

  it("reports a job that never wrote result.json, and timed-out and cancelled runs", () => {
    expect(renderRunReport(input({ conclusion: "failure", result: null, series: [] })).summary).toContain("| `c42` | failed | – | 1 | – |");
    expect(renderRunReport(input({ conclusion: "timed_out", result: result({ status: "timed-out" }) })).title).toMatch(/^⌛ timed out/u);
    expect(renderRunReport(input({ conclusion: "cancelled", result: null })).title).toBe("⏹️ cancelled: notebooks/mnist.ipynb");
  });

  it("keeps a fenced evalue from closing its block", () => {
    const report = renderRunReport(input({ conclusion: "failure", result: result({ failure: { cell_index: null, ename: "E`rr", evalue: "```\n# injected heading" } }) }));
    expect(report.summary).toContain("Outside any cell raised `E'rr`");
    expect(report.summary).not.toContain("```\n# injected heading");
  });

  it("stays within 65,535 bytes: drops the chart, then the log, then truncates", () => {
    const metrics = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`metric_${i}_${"x".repeat(100)}`, i]));
    const series = Array.from({ length: 5000 }, (_, i) => ({ step: i, loss: 1 / (i + 1), acc: i / 5000, lr: 0.1, other: i % 7 }));
    const huge = renderRunReport(input({ conclusion: "failure", result: result({ metrics, failure: { cell_index: 0, ename: "E", evalue: "v".repeat(100_000) } }), series, logTail: "z".repeat(200_000) }));
    expect(textSize(huge.summary)).toBeLessThanOrEqual(GITHUB_LIMITS.checkRunSummary);
    expect(huge.summary).toContain("#### Failure");

    // A chart that fits alone is kept while the log goes first only when needed.
    const bigLog = renderRunReport(input({ conclusion: "failure", logTail: "é".repeat(70_000) }));
    expect(textSize(bigLog.summary)).toBeLessThanOrEqual(GITHUB_LIMITS.checkRunSummary);
    expect(bigLog.summary).toContain("xychart-beta");
  });

  it("is always within the limit, whatever the strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), fc.string({ maxLength: 300 }), fc.array(fc.tuple(fc.string({ maxLength: 50 }), fc.double()), { maxLength: 40 }), (evalue, notebook, points) => {
        const series = points.map(([name, value], step) => ({ step, [name]: value }));
        const report = renderRunReport(input({ notebook, conclusion: "failure", result: result({ failure: { cell_index: 1, ename: notebook, evalue } }), series, logTail: evalue.repeat(30) }));
        return textSize(report.summary) <= GITHUB_LIMITS.checkRunSummary && report.title.length <= 200;
      }),
      { numRuns: 200 },
    );
  });
});

describe("renderMetricsChart", () => {
  it("samples a long series down to 100 points keeping the first and the last", () => {
    const series = Array.from({ length: 1000 }, (_, i) => ({ epoch: i + 1, loss: 1000 - i }));
    const chart = renderMetricsChart(series);
    const line = chart.split("\n").find((l) => l.startsWith("  line"))!;
    const values = line.slice(line.indexOf("[") + 1, -1).split(", ");
    expect(values).toHaveLength(100);
    expect(values[0]).toBe("1000");
    expect(values.at(-1)).toBe("1");
  });

  it("numbers the points when no step key is shared, skips non-finite values, and quotes hostile names", () => {
    const chart = renderMetricsChart([{ 'lo"ss\n': 1 }, { 'lo"ss\n': Number.NaN }, { 'lo"ss\n': 0.5 }, { 'lo"ss\n': 0.25 }]);
    expect(chart).toContain(`title "lo'ss'"`);
    expect(chart).toContain('x-axis "point" [1, 3, 4]');
    expect(chart).toContain("line [1, 0.5, 0.25]");
  });

  it("draws nothing for fewer than two points", () => {
    expect(renderMetricsChart([{ loss: 1 }])).toBe("");
    expect(renderMetricsChart([])).toBe("");
  });
});

describe("composeStickyComment", () => {
  const check = `${STICKY_MARKER}\n### nbtrain · notebooks\n\nrows\n`;

  it("creates a comment with only a Runs section, then keeps it when the notebook check writes its part", () => {
    const first = composeStickyComment(undefined, { kind: "run", line: { runId: "c1", notebook: "a.ipynb", state: "queued" } });
    expect(first).toBe(`${STICKY_MARKER}\n\n${RUNS_START}\n### nbtrain · training runs\n\n- <!-- nbtrain:run:c1 -->🕒 **queued** · \`c1\` · \`a.ipynb\`\n${RUNS_END}\n`);
    const both = composeStickyComment(first, { kind: "check", body: check });
    expect(both.startsWith(`${check.trimEnd()}\n\n${RUNS_START}`)).toBe(true);
    expect(both).toContain("<!-- nbtrain:run:c1 -->");
    // The same check again changes nothing, so a redelivery writes nothing.
    expect(composeStickyComment(both, { kind: "check", body: check })).toBe(both);
  });

  it("leaves the notebook check's part exactly as rendered when there are no runs", () => {
    expect(composeStickyComment(undefined, { kind: "check", body: check })).toBe(check);
  });

  it("replaces a run's line in place and appends new runs", () => {
    let body = composeStickyComment(check, { kind: "run", line: { runId: "c1", notebook: "a.ipynb", state: "running" } });
    body = composeStickyComment(body, { kind: "run", line: { runId: "c2", notebook: "b.ipynb", state: "queued" } });
    body = composeStickyComment(body, { kind: "run", line: { runId: "c1", notebook: "a.ipynb", state: "succeeded", durationSeconds: 61, metrics: { acc: 0.9 } } });
    const lines = body.split("\n").filter((line) => line.startsWith("- <!-- nbtrain:run:"));
    expect(lines).toEqual(["- <!-- nbtrain:run:c1 -->✅ **succeeded** · `c1` · `a.ipynb` · 1m1s · acc 0.9", "- <!-- nbtrain:run:c2 -->🕒 **queued** · `c2` · `b.ipynb`"]);
  });

  it("drops the oldest runs to stay within GitHub's comment limit", () => {
    const bigCheck = `${STICKY_MARKER}\n${"x".repeat(60_000)}`;
    let body = bigCheck;
    for (let i = 1; i <= 100; i++) body = composeStickyComment(body, { kind: "run", line: { runId: `c${i}`, notebook: `${"n".repeat(80)}.ipynb`, state: "queued" } });
    expect(textSize(body)).toBeLessThanOrEqual(GITHUB_LIMITS.commentBody);
    expect(body).toContain("<!-- nbtrain:run:c100 -->");
    expect(body).not.toContain("<!-- nbtrain:run:c1 -->");
  });
});

describe("composeStickyComment, whatever the order of writers", () => {
  it("keeps the latest check part and exactly one line per run, the latest state of each", () => {
    const states = ["queued", "running", "retrying", "succeeded", "failed", "cancelled", "timed_out"] as const;
    const change = fc.oneof(
      fc.record({ kind: fc.constant("check" as const), body: fc.string({ maxLength: 200 }).map((text) => `${STICKY_MARKER}\n${text.replaceAll("<!--", "")}`) }),
      fc.record({ kind: fc.constant("run" as const), id: fc.integer({ min: 1, max: 6 }), state: fc.constantFrom(...states), notebook: fc.string({ maxLength: 40 }) }),
    );
    fc.assert(
      fc.property(fc.array(change, { maxLength: 30 }), (changes) => {
        let body: string | undefined;
        const latest = new Map<string, string>();
        let check: string | undefined;
        for (const c of changes) {
          if (c.kind === "check") {
            body = composeStickyComment(body, c);
            check = c.body;
          } else {
            body = composeStickyComment(body, { kind: "run", line: { runId: `c${c.id}`, notebook: c.notebook, state: c.state } });
            latest.set(`c${c.id}`, c.state);
          }
        }
        if (body === undefined) return true;
        const lines = body.split("\n").filter((line) => line.startsWith("- <!-- nbtrain:run:"));
        const ids = lines.map((line) => /nbtrain:run:(c\d+)/u.exec(line)![1]!);
        const checkKept = check === undefined || body.startsWith(check.replace(/\s+$/u, ""));
        return (
          body.startsWith(STICKY_MARKER) &&
          checkKept &&
          new Set(ids).size === ids.length &&
          ids.length === latest.size &&
          lines.every((line, i) => line.includes(`**${latest.get(ids[i]!)!.replace("_", " ")}**`))
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe("renderStatusTable and runLinks", () => {
  it("says when there are no runs, and escapes cells", () => {
    expect(renderStatusTable([])).toContain("no training runs on this pull request yet");
    expect(renderStatusTable([{ runId: "c1", notebook: "a|b.ipynb", status: "running", attempt: 1, ageSeconds: 90 }], { activeInRepo: 1, limitPerRepo: 2 })).toContain(
      "| `c1` | a\\|b\\.ipynb | running | 1 | 1m30s ago |  |\n\nActive runs in this repository: 1 of 2 allowed.",
    );
  });

  it("links S3 artifacts to the console and CloudWatch streams with the console's double encoding", () => {
    const links = runLinks("s3://bucket/prefix/", "runs/o/r/c1/", { kind: "cloudwatch", region: "us-east-1", group: "/aws/batch/job", stream: "def/default/abc" });
    expect(links).toEqual([
      { label: "Executed notebook", url: "https://s3.console.aws.amazon.com/s3/object/bucket?prefix=prefix%2Fruns%2Fo%2Fr%2Fc1%2Foutput.ipynb" },
      { label: "Checkpoints", url: "https://s3.console.aws.amazon.com/s3/buckets/bucket?prefix=prefix%2Fruns%2Fo%2Fr%2Fc1%2Fcheckpoints%2F" },
      { label: "Logs (CloudWatch)", url: "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Faws$252Fbatch$252Fjob/log-events/def$252Fdefault$252Fabc" },
    ]);
    expect(runLinks("gdrive://MyDrive/nbtrain", "runs/o/r/c1/")[0]).toEqual({ label: "Executed notebook (in Google Drive; open it with Colab to continue)", path: "MyDrive/nbtrain/runs/o/r/c1/output.ipynb" });
  });
});
