import { describe, expect, it } from "vitest";
import { unpinnedInstallRule } from "../../../src/notebook/lint/unpinned-install.js";
import { codeCell, lines, markdownCell, notebook, runRule } from "./notebook-builder.js";

/** The packages a single line is flagged for, or null when it is not flagged. */
function flagged(line: string): string | null {
  const findings = runRule(unpinnedInstallRule, notebook([codeCell(line)]));
  if (findings.length === 0) return null;
  expect(findings).toHaveLength(1);
  const listed = findings[0]?.message.split(" without a version")[0] ?? "";
  return [...listed.matchAll(/`([^`]+)`/g)].map((m) => m[1]).join(" ");
}

describe("unpinned-install", () => {
  it.each([
    ["!pip install numpy", "numpy"],
    ["%pip install numpy", "numpy"],
    ["!pip3 install -q numpy", "numpy"],
    ["!pip install -qq -U tensorflow keras", "tensorflow keras"],
    ["!pip install --upgrade --quiet pandas==2.0.3 scikit-learn", "scikit-learn"],
    ["!python -m pip install requests", "requests"],
    ["!{sys.executable} -m pip install requests", "requests"],
    ["  !pip install 'transformers[torch]'", "transformers"],
    ["!pip install tensorflow-datasets  # latest", "tensorflow-datasets"],
    ["!pip install numpy && echo done", "numpy"],
    ["!pip install -q git+https://github.com/tensorflow/docs", "https://github.com/tensorflow/docs"],
    ["!pip install git+https://github.com/org/repo.git@main", "https://github.com/org/repo"],
    ["!pip install mylib @ git+https://github.com/org/mylib.git", "mylib"],
    ["!pip install --index-url https://download.pytorch.org/whl/cpu torch", "torch"],
    ["!pip install -i https://pypi.org/simple -c constraints.txt numpy", "numpy"],
    ["!pip install numpy!=1.0", "numpy"],
    ["!uv pip install polars", "polars"],
    ["!cd /tmp && pip install -q numpy==1.26.4 && pip install pandas", "pandas"],
    ["!pip install numpy>=1.24 pandas==2.0.3", "numpy"],
    ["%pip install -q scipy<2 > /dev/null", "scipy"],
  ])("flags %s", (line, packages) => {
    expect(flagged(line)).toBe(packages);
  });

  it.each([
    "!pip install numpy==1.26.4",
    "%pip install -q 'numpy>=1.24'",
    '!pip install "tensorflow~=2.15.0" "keras==3.*"',
    "!pip install transformers[torch]==4.40.0",
    "!pip install -r requirements.txt",
    "!pip install --requirement=requirements.txt",
    "!pip install -e .",
    "!pip install ./dist/mylib-1.0-py3-none-any.whl",
    "!pip install https://example.org/mylib-1.0.tar.gz",
    "!pip install git+https://github.com/org/repo.git@v1.2.0",
    "!pip install git+https://github.com/org/repo@3f2a9c1",
    "!pip install mylib @ git+https://github.com/org/mylib.git@v2.0",
    "!pip install -U pip setuptools wheel",
    "!pip install $PACKAGES",
    "!pip install {package}",
    "# !pip install numpy",
    "!pip list",
    "!pip uninstall -y numpy",
    "pip install numpy",
  ])("does not flag %s", (line) => {
    expect(flagged(line)).toBeNull();
  });

  it("points at the exact line, following a backslash continuation", () => {
    const source = lines("import os\n!pip install -q \\\n    numpy==1.26.4 \\\n    pandas\nprint(1)\n!pip install scipy\n");
    const findings = runRule(unpinnedInstallRule, notebook([markdownCell("!pip install no"), codeCell(source)]));
    expect(findings.map((f) => [f.path, f.lineInValue])).toEqual([
      [["cells", 1, "source"], 1],
      [["cells", 1, "source"], 5],
    ]);
    expect(findings[0]?.message).toContain("`pandas`");
    expect(findings[0]?.message).not.toContain("numpy");
  });

  it("explains that an unquoted > or < is a shell redirection", () => {
    const [finding] = runRule(unpinnedInstallRule, notebook([codeCell("!pip install numpy>=1.24")]));
    expect(finding?.message).toContain("the shell reads it as a redirection");
    const [quoted] = runRule(unpinnedInstallRule, notebook([codeCell("!pip install 'numpy>=1.24' pandas")]));
    expect(quoted?.message).not.toContain("redirection");
  });

  it("reads bare pip commands in %%bash cells", () => {
    const findings = runRule(unpinnedInstallRule, notebook([codeCell("%%bash\npip install numpy\n")]));
    expect(findings).toMatchObject([{ lineInValue: 1 }]);
  });

  it("says how to fix it", () => {
    const [finding] = runRule(unpinnedInstallRule, notebook([codeCell("!pip install numpy")]));
    expect(finding?.message).toMatch(/Pin each to a version \(for example `numpy==X\.Y\.Z`/);
    expect(finding?.severity).toBe("warning");
  });

  it("survives schema-invalid shapes", () => {
    const broken = { cells: [{ cell_type: "code", source: ["!pip install", 3, null] }, { cell_type: "code" }, { source: "!pip install x" }] };
    expect(runRule(unpinnedInstallRule, broken)).toEqual([]);
  });

  it("reads a command split across lines of the source that do not end in a newline", () => {
    const findings = runRule(unpinnedInstallRule, notebook([codeCell(["import os\n", "!pi", "p install numpy\n"])]));
    expect(findings).toMatchObject([{ path: ["cells", 0, "source"], lineInValue: 1 }]);
  });
});
