import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgressReporter } from "../../src/runner/progress-reporter.js";

function sink(isTTY: boolean) {
  let text = "";
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

describe("createProgressReporter", () => {
  it("writes one JSON object per line when the stream is not a terminal", () => {
    const out = sink(false);
    const progress = createProgressReporter(out.stream, () => Date.UTC(2026, 0, 1));
    progress.report({ type: "cell_start", cell: 2, cells: 5 });
    progress.report({ type: "synced", sequence: 3, files: 1, bytes: 10 });
    const lines = out.text().trim().split("\n").map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { time: "2026-01-01T00:00:00.000Z", event: "cell_start", cell: 2, cells: 5 },
      { time: "2026-01-01T00:00:00.000Z", event: "synced", sequence: 3, files: 1, bytes: 10 },
    ]);
  });

  it("redraws one progress bar line on a terminal", () => {
    const out = sink(true);
    const progress = createProgressReporter(out.stream, () => 0);
    progress.report({ type: "started", cells: 4, python: "/usr/bin/python3", attempt: 1, resume: false });
    progress.report({ type: "cell_done", cell: 2, cells: 4, status: "ok" });
    progress.close();
    expect(out.text()).toContain("Running 4 cells on /usr/bin/python3 (attempt 1).\n");
    expect(out.text()).toContain(`\r\x1b[K${"█".repeat(12)}${"░".repeat(12)} 2/4 cells · 0s`);
    expect(out.text().endsWith("\n")).toBe(true);
  });

  it("writes plain lines without redraws or escape sequences on a TERM=dumb terminal", () => {
    const out = sink(true);
    let clock = 0;
    const progress = createProgressReporter(out.stream, () => clock, { TERM: "dumb" });
    progress.report({ type: "started", cells: 2, python: "/usr/bin/python3", attempt: 1, resume: false });
    progress.report({ type: "cell_start", cell: 1, cells: 2 });
    clock = 3000;
    progress.report({ type: "cell_done", cell: 1, cells: 2, status: "ok" });
    progress.report({ type: "cell_done", cell: 2, cells: 2, status: "error" });
    progress.close();
    expect(out.text()).toBe(
      "Running 2 cells on /usr/bin/python3 (attempt 1).\ncell 1/2 running · 0s\ncell 1/2 done · 3s\ncell 2/2 failed · 3s\n",
    );
  });
});
