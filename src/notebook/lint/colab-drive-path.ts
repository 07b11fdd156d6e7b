import type { Finding } from "../finding.js";
import type { LintRule } from "./lint-rule.js";
import { splitLines, type CellView } from "./notebook-view.js";

const DRIVE_PATH = /\/content\/drive(?:\/|\b)/;
// `drive.mount(...)`, the fully qualified call, or any alias mounting `/content/drive`.
const MOUNT = /\bdrive\.mount\s*\(|\.mount\s*\(\s*(?:mountpoint\s*=\s*)?['"]\/content\/drive/;
// An alias mounting a variable (`d.mount(ROOT)`) counts when google.colab is imported.
const ANY_MOUNT = /\.mount\s*\(/;
const COLAB_IMPORT = /\bgoogle\.colab\b/;

/** Whether some code cell's source holds the path at all, the one test most notebooks need. */
function mentionsDrive(cells: readonly CellView[]): boolean {
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as CellView;
    if (cell.type === "code" && cell.source !== null && cell.source.text.includes("/content/drive")) return true;
  }
  return false;
}

/** Flags code that reads `/content/drive/...` in a notebook that never mounts Drive, at each such line. */
export const colabDrivePathRule: LintRule = {
  id: "colab-drive-path",
  defaultSeverity: "warning",
  summary: "`/content/drive/...` paths in a notebook that never calls `drive.mount`",
  check({ notebook }) {
    if (!mentionsDrive(notebook.cells)) return [];
    const code = notebook.cells.filter((cell) => cell.type === "code" && cell.source !== null);
    const texts = code.map((cell) => cell.source?.text ?? "");
    if (texts.some((text) => MOUNT.test(text))) return [];
    if (texts.some((text) => COLAB_IMPORT.test(text)) && texts.some((text) => ANY_MOUNT.test(text))) return [];
    const findings: Finding[] = [];
    for (const cell of code) {
      const source = cell.source;
      if (!source || !DRIVE_PATH.test(source.text)) continue;
      splitLines(source.text).forEach((line, lineInValue) => {
        const at = line.search(DRIVE_PATH);
        // A Python comment mentioning the path uses nothing.
        if (at < 0 || line.slice(0, at).trimStart().startsWith("#")) return;
        findings.push({
          rule: "colab-drive-path",
          severity: "warning",
          message:
            "This line uses a path under /content/drive, which exists only after Google Drive is mounted, but the notebook never calls `drive.mount`. " +
            "Add `from google.colab import drive; drive.mount('/content/drive')` before it, or read the data from a path the notebook creates.",
          path: source.path,
          lineInValue,
        });
      });
    }
    return findings;
  },
};
