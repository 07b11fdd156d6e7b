import type { Limits } from "../../config/repo-config.js";
import type { Finding } from "../finding.js";
import { formatBytes } from "./format-bytes.js";
import type { LintRule } from "./lint-rule.js";
import { attachmentEntries, joinText, mimeEntries, type CellView, type MimeEntry, type OutputView } from "./notebook-view.js";

/**
 * Decoded size of base64 text: 3 bytes per 4 data characters; line breaks, spaces and padding
 * carry none. Counted with `indexOf`, which is far faster than a regex over megabytes, and only
 * when the quick upper bound is over the limit.
 */
function decodedSize(base64: string, limit: number): number {
  if ((base64.length * 3) / 4 <= limit) return 0;
  let chars = base64.length;
  for (const filler of ["\n", "\r", " ", "="]) {
    for (let i = base64.indexOf(filler); i >= 0; i = base64.indexOf(filler, i + 1)) chars--;
  }
  return Math.floor((chars * 3) / 4);
}

/** Characters of a string or of the strings of an array: no image in it can be larger. */
function textLength(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (!Array.isArray(value)) return 0;
  let length = 0;
  for (let k = 0; k < value.length; k++) {
    const part: unknown = value[k];
    if (typeof part === "string") length += part.length;
  }
  return length;
}

function inspect(entry: MimeEntry, where: string, limits: Limits, findings: Finding[]): void {
  const mime = entry.mime;
  if (!mime.startsWith("image/")) return;
  // Neither size below exceeds the text's length, so a short image is passed without joining it.
  if (textLength(entry.value) <= limits.image_bytes) return;
  const text = joinText(entry.value);
  if (text === null) return;
  // SVG is stored as text, every other image type as base64.
  const size = mime === "image/svg+xml" ? (text.length > limits.image_bytes ? text.length : 0) : decodedSize(text, limits.image_bytes);
  if (size <= limits.image_bytes) return;
  findings.push({
    rule: "large-image",
    severity: "warning",
    message:
      `Embedded ${mime} ${where} is ${formatBytes(size)}, over the ${formatBytes(limits.image_bytes)} limit. ` +
      "Lower the figure size or DPI, save the image to a file and link it, or clear the output; " +
      "raise `limits.image_bytes` in .github/nbtrain.yml if it is intended.",
    path: entry.path,
  });
}

/** Flags embedded images (outputs and attachments) whose decoded size is over `limits.image_bytes`. */
export const largeImageRule: LintRule = {
  id: "large-image",
  defaultSeverity: "warning",
  summary: "An embedded image (output or attachment) larger than `limits.image_bytes` (500 kB) once decoded",
  check({ notebook, limits }) {
    const findings: Finding[] = [];
    const cells = notebook.cells;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as CellView;
      for (let o = 0; o < cell.outputs.length; o++) {
        const entries = mimeEntries(cell.outputs[o] as OutputView, "image/");
        for (let e = 0; e < entries.length; e++) inspect(entries[e] as MimeEntry, "in an output", limits, findings);
      }
      if ("attachments" in cell.value) for (const entry of attachmentEntries(cell, "image/")) inspect(entry, "as a cell attachment", limits, findings);
    }
    return findings;
  },
};
