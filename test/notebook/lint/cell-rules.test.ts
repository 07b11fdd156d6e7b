import { describe, expect, it } from "vitest";
import { colabDrivePathRule } from "../../../src/notebook/lint/colab-drive-path.js";
import { errorOutputRule } from "../../../src/notebook/lint/error-output.js";
import { executionOrderRule } from "../../../src/notebook/lint/execution-order.js";
import { missingKernelspecRule } from "../../../src/notebook/lint/missing-kernelspec.js";
import { codeCell, lines, markdownCell, notebook, runRule } from "./notebook-builder.js";

const error = { output_type: "error", ename: "ZeroDivisionError", evalue: "division by zero", traceback: ["Traceback..."] };

describe("error-output", () => {
  it("flags error outputs and stderr tracebacks, naming the exception", () => {
    const nb = notebook([
      codeCell("1/0", { outputs: [{ output_type: "stream", name: "stdout", text: "ok" }, error] }),
      codeCell("run()", { outputs: [{ output_type: "stream", name: "stderr", text: ["Traceback (most recent call last):\n", '  File "x"\n'] }] }),
      codeCell("warn()", { outputs: [{ output_type: "stream", name: "stderr", text: "UserWarning: careful\n" }] }),
    ]);
    const findings = runRule(errorOutputRule, nb);
    expect(findings.map((f) => f.path)).toEqual([
      ["cells", 0, "outputs", 1],
      ["cells", 1, "outputs", 0],
    ]);
    expect(findings[0]?.message).toContain("ZeroDivisionError");
    expect(findings[1]?.message).toContain("a traceback on stderr");
    expect(findings[0]?.message).toContain('tag the cell "raises-exception"');
  });

  it("skips cells tagged raises-exception and reads v3 pyerr", () => {
    expect(runRule(errorOutputRule, notebook([codeCell("1/0", { metadata: { tags: ["raises-exception"] }, outputs: [error] })]))).toEqual([]);
    const v3 = { nbformat: 3, worksheets: [{ cells: [{ cell_type: "code", input: "1/0", outputs: [{ output_type: "pyerr", ename: "x y" }] }] }] };
    const findings = runRule(errorOutputRule, v3);
    expect(findings).toMatchObject([{ path: ["worksheets", 0, "cells", 0, "outputs", 0] }]);
    // A name that is not an identifier is not echoed.
    expect(findings[0]?.message).toContain("an exception");
  });
});

describe("execution-order", () => {
  const ran = (n: number | null) => codeCell("x", { execution_count: n });

  it("reports the first cell run out of order once, as info", () => {
    const nb = notebook([ran(1), ran(null), markdownCell("m"), ran(5), ran(3), ran(4), ran(2)]);
    const findings = runRule(executionOrderRule, nb);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: "execution-order", severity: "info", path: ["cells", 4, "execution_count"] });
    expect(findings[0]?.message).toContain("execution count 3 after 5 (2 cells in all)");
  });

  it("accepts increasing counts with gaps and unexecuted cells", () => {
    expect(runRule(executionOrderRule, notebook([ran(1), ran(null), ran(4), ran(9)]))).toEqual([]);
  });

  it("flags a repeated count", () => {
    expect(runRule(executionOrderRule, notebook([ran(2), ran(2)]))).toHaveLength(1);
  });
});

describe("missing-kernelspec", () => {
  it("warns on a v4 notebook without metadata.kernelspec", () => {
    expect(runRule(missingKernelspecRule, notebook([], {}))).toMatchObject([
      { rule: "missing-kernelspec", severity: "warning", path: ["metadata"] },
    ]);
  });

  it("only informs when Colab saved the notebook", () => {
    const [finding] = runRule(missingKernelspecRule, notebook([], { colab: { provenance: [] } }));
    expect(finding?.severity).toBe("info");
    expect(finding?.message).toContain("Colab itself does not need it");
  });

  it("ignores v3 notebooks, notebooks with a kernelspec, and broken metadata", () => {
    expect(runRule(missingKernelspecRule, { nbformat: 3, metadata: {}, worksheets: [] })).toEqual([]);
    expect(runRule(missingKernelspecRule, notebook([]))).toEqual([]);
    expect(runRule(missingKernelspecRule, { nbformat: 4, metadata: "x", cells: [] })).toEqual([]);
  });
});

describe("colab-drive-path", () => {
  it("flags each line using /content/drive when nothing mounts Drive", () => {
    const nb = notebook([
      markdownCell("Put the data in /content/drive/MyDrive/data"),
      codeCell(lines("import pandas as pd\n# data lives in /content/drive/MyDrive\ndf = pd.read_csv('/content/drive/MyDrive/data.csv')\n")),
      codeCell("ROOT = '/content/drive'"),
    ]);
    const findings = runRule(colabDrivePathRule, nb);
    expect(findings.map((f) => [f.path, f.lineInValue])).toEqual([
      [["cells", 1, "source"], 2],
      [["cells", 2, "source"], 0],
    ]);
    expect(findings[0]?.message).toContain("drive.mount('/content/drive')");
  });

  it.each([
    "from google.colab import drive\ndrive.mount('/content/drive')",
    "from google.colab import drive as gdrive\ngdrive.mount('/content/drive', force_remount=True)",
    "import google.colab.drive\ngoogle.colab.drive.mount('/content/drive')",
    "from google.colab import drive as d\nROOT = '/content/drive'\nd.mount(ROOT)",
  ])("stays quiet when Drive is mounted: %s", (mount) => {
    const nb = notebook([codeCell(mount), codeCell("open('/content/drive/MyDrive/x.txt')")]);
    expect(runRule(colabDrivePathRule, nb)).toEqual([]);
  });

  it("does not take /content/driver for a Drive path", () => {
    expect(runRule(colabDrivePathRule, notebook([codeCell("open('/content/drivers.txt')")]))).toEqual([]);
  });
});
