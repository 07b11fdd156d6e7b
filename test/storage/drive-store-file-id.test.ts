import { describe, expect, it } from "vitest";
import { createDriveStore, type DriveStore } from "../../src/storage/drive-store.js";
import { parseStoreUri, type StoreLocation } from "../../src/storage/parse-store-uri.js";
import { renderRunReport } from "../../src/report/render-run-report.js";
import { runLinks } from "../../src/report/run-links.js";
import { DRIVE_OAUTH as OAUTH, driveFolder as folder, expectLookup, expectRefreshToken, useDriveStoreMock } from "../support/drive-store-mock.js";

// DriveStore.driveFileId against Drive's REST API (nock), and the Open in Colab link it enables.

const { expectExactRequests } = useDriveStoreMock();

async function openDrive(): Promise<DriveStore> {
  const location = parseStoreUri("gdrive://MyDrive/nbtrain") as Extract<StoreLocation, { kind: "gdrive" }>;
  return createDriveStore(location, { NBTRAIN_GDRIVE_CREDENTIALS: JSON.stringify(OAUTH) });
}

const RUN = "runs/o/r/c42/";

describe("DriveStore.driveFileId", () => {
  it("finds the executed notebook's file id (the newest of duplicates) by walking the folders, without downloading it", async () => {
    expectRefreshToken();
    expectLookup("root", "nbtrain", true, [folder("F-nbtrain", "nbtrain")]);
    expectLookup("F-nbtrain", "runs", true, [folder("F-runs", "runs")]);
    expectLookup("F-runs", "o", true, [folder("F-o", "o")]);
    expectLookup("F-o", "r", true, [folder("F-r", "r")]);
    expectLookup("F-r", "c42", true, [folder("F-c42", "c42")]);
    expectLookup("F-c42", "output.ipynb", false, [
      { id: "1AbC-newest_x", name: "output.ipynb", mimeType: "application/x-ipynb+json", size: "10", md5Checksum: "00" },
      { id: "1older", name: "output.ipynb", mimeType: "application/x-ipynb+json", size: "9", md5Checksum: "01" },
    ]);
    const store = await openDrive();
    expect(await store.driveFileId(`${RUN}output.ipynb`)).toBe("1AbC-newest_x");
    expectExactRequests();
  });

  it("answers null when the run folder or the notebook does not exist", async () => {
    expectRefreshToken();
    expectLookup("root", "nbtrain", true, [folder("F-nbtrain", "nbtrain")]);
    expectLookup("F-nbtrain", "runs", true, [folder("F-runs", "runs")]);
    expectLookup("F-runs", "o", true, []);
    const store = await openDrive();
    expect(await store.driveFileId(`${RUN}output.ipynb`)).toBeNull();

    expectLookup("F-runs", "o", true, [folder("F-o", "o")]);
    expectLookup("F-o", "r", true, [folder("F-r", "r")]);
    expectLookup("F-r", "c43", true, [folder("F-c43", "c43")]);
    expectLookup("F-c43", "output.ipynb", false, []);
    expect(await store.driveFileId("runs/o/r/c43/output.ipynb")).toBeNull();
    expectExactRequests();
  });
});

describe("Open in Colab for a Drive-stored executed notebook", () => {
  it("links output.ipynb to Colab by its Drive file id, and keeps the path when the id is unknown", () => {
    expect(runLinks("gdrive://MyDrive/nbtrain", RUN, undefined, { driveNotebookId: "1AbC-newest_x" })).toEqual([
      { label: "Executed notebook (Open in Colab)", url: "https://colab.research.google.com/drive/1AbC-newest_x" },
      { label: "Checkpoints (in Google Drive, where Colab sees them after drive.mount)", path: `MyDrive/nbtrain/${RUN}checkpoints/` },
    ]);
    expect(runLinks("gdrive://MyDrive/nbtrain", RUN, undefined, { driveNotebookId: null })[0]).toEqual({
      label: "Executed notebook (in Google Drive; open it with Colab to continue)",
      path: `MyDrive/nbtrain/${RUN}output.ipynb`,
    });
    // Only a Drive store's id makes a Colab link; other stores ignore it.
    expect(runLinks("s3://bucket/p", RUN, undefined, { driveNotebookId: "1x" }).some((link) => "url" in link && link.url.includes("colab"))).toBe(false);
  });

  it("renders the Colab link in the run report", () => {
    const report = renderRunReport({
      runId: "c42",
      notebook: "notebooks/spiral.ipynb",
      conclusion: "failure",
      attempt: 1,
      interruptions: [],
      result: null,
      series: [],
      baseline: null,
      links: runLinks("gdrive://MyDrive/nbtrain", RUN, undefined, { driveNotebookId: "1AbC(x)" }),
      logTail: null,
      outOfMemory: null,
    });
    expect(report.summary).toContain("- Executed notebook (Open in Colab): <https://colab.research.google.com/drive/1AbC%28x%29>");
  });
});
