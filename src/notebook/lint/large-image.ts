import type { Finding, JsonPath } from "../finding.js";
import { formatBytes } from "./format-bytes.js";
import type { LintRule } from "./lint-rule.js";
import { attachmentEntries, joinText, mimeEntries } from "./notebook-view.js";

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

/** Flags embedded images (outputs and attachments) whose decoded size is over `limits.image_bytes`. */
export const largeImageRule: LintRule = {
  id: "large-image",
  defaultSeverity: "warning",
  summary: "An embedded image (output or attachment) larger than `limits.image_bytes` (500 kB) once decoded",
  check({ notebook, limits }) {
    const findings: Finding[] = [];
    const inspect = (mime: string, path: JsonPath, value: unknown, where: string) => {
      if (!mime.startsWith("image/")) return;
      const text = joinText(value);
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
        path,
      });
    };
    for (const cell of notebook.cells) {
      for (const output of cell.outputs) for (const e of mimeEntries(output, "image/")) inspect(e.mime, e.path, e.value, "in an output");
      if ("attachments" in cell.value) for (const e of attachmentEntries(cell, "image/")) inspect(e.mime, e.path, e.value, "as a cell attachment");
    }
    return findings;
  },
};
