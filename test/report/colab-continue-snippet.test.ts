import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { colabContinueSnippet } from "../../src/report/colab-continue-snippet.js";
import { renderRunReport } from "../../src/report/render-run-report.js";
import { CheckpointSync } from "../../src/runner/checkpoint-sync.js";
import { FileStore } from "../../src/storage/file-store.js";
import { scopeStore } from "../../src/storage/scoped-store.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-colab-snippet-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("colabContinueSnippet", () => {
  it("is offered for a My Drive store only", () => {
    expect(colabContinueSnippet("gdrive://MyDrive/nbtrain", "runs/o/r/c1/")).toContain('run = "/content/drive/MyDrive/nbtrain/runs/o/r/c1"');
    expect(colabContinueSnippet("gdrive://MyDrive/My%20Runs/", "runs/o/r/c1/")).toContain('run = "/content/drive/MyDrive/My Runs/runs/o/r/c1"');
    expect(colabContinueSnippet("gdrive://folder/0AbCdEfGhIjKlMn/x", "runs/o/r/c1/")).toBeNull();
    expect(colabContinueSnippet("s3://bucket/prefix", "runs/o/r/c1/")).toBeNull();
  });

  it("rebuilds the run's latest checkpoint folder when Python runs it against the Drive folder the store wrote", async () => {
    // The store as Drive holds it: a run whose checkpoint changed twice, so its files sit under two sequences.
    const drive = path.join(dir, "MyDrive");
    const store = scopeStore(new FileStore(path.join(drive, "nbtrain")), "runs/o/r/c1/");
    const work = path.join(dir, "work");
    await mkdir(path.join(work, "sub"), { recursive: true });
    await writeFile(path.join(work, "model.pt"), "weights v1");
    await writeFile(path.join(work, "sub", "optimizer.pt"), "optimizer v1");
    const sync = new CheckpointSync({ store, folder: work, runId: "c1", attempt: 1, base: null });
    await sync.pass({ final: true });
    await writeFile(path.join(work, "model.pt"), "weights v2, longer");
    await sync.pass({ final: true });
    expect(sync.latestSequence).toBe(2);

    const snippet = colabContinueSnippet("gdrive://MyDrive/nbtrain", "runs/o/r/c1/")!;
    // Colab's mount is the one step that needs Colab; the rest runs as written against the same folder layout.
    const local = snippet
      .split("\n")
      .filter((line) => line !== "from google.colab import drive" && line !== "drive.mount('/content/drive')")
      .join("\n")
      .replace(`run = "/content/drive/MyDrive/nbtrain/runs/o/r/c1"`, `run = ${JSON.stringify(path.join(drive, "nbtrain/runs/o/r/c1"))}`)
      .replace("checkpoint_dir = '/content/checkpoints'", `checkpoint_dir = ${JSON.stringify(path.join(dir, "restored"))}`);
    expect(snippet.split("\n").filter((line) => line.includes("drive"))).toEqual(["from google.colab import drive", "drive.mount('/content/drive')", expect.stringContaining("/content/drive/MyDrive")]);
    execFileSync("/usr/bin/python3", ["-c", `${local}\nprint(resume)`]);
    expect(await readFile(path.join(dir, "restored", "model.pt"), "utf8")).toBe("weights v2, longer");
    expect(await readFile(path.join(dir, "restored", "sub", "optimizer.pt"), "utf8")).toBe("optimizer v1");
  });

  it("appears in the run report under Continue in Colab", () => {
    const report = renderRunReport({
      runId: "c1",
      notebook: "train.ipynb",
      conclusion: "timed_out",
      attempt: 1,
      interruptions: [],
      result: null,
      series: [],
      links: [],
      colabSnippet: colabContinueSnippet("gdrive://MyDrive/nbtrain", "runs/o/r/c1/"),
    });
    expect(report.summary).toContain("#### Continue in Colab");
    expect(report.summary).toContain("```python\nfrom google.colab import drive");
  });
});
