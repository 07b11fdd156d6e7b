import { textSize } from "./github-limits.js";

/**
 * Cuts `text` so that it plus `note` fits in `maxBytes` UTF-8 bytes, at a line break when one is
 * near, and appends the note saying what was cut. Text that fits is returned unchanged.
 */
export function truncateText(text: string, maxBytes: number, note: string): string {
  if (textSize(text) <= maxBytes) return text;
  const budget = maxBytes - textSize(note);
  if (budget <= 0) return sliceToBytes(note, maxBytes);
  let cut = sliceToBytes(text, budget);
  const lineBreak = cut.lastIndexOf("\n");
  if (lineBreak > cut.length * 0.8) cut = cut.slice(0, lineBreak + 1);
  return cut + note;
}

function sliceToBytes(text: string, maxBytes: number): string {
  let low = 0;
  let high = Math.min(text.length, maxBytes);
  // Binary search on code units; never split a surrogate pair.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (textSize(text.slice(0, mid)) <= maxBytes) low = mid;
    else high = mid - 1;
  }
  let end = low;
  const code = text.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end);
}
