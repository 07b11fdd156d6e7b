/**
 * Makes user text safe to echo inside a Markdown code span in a reply: no backticks to break out
 * of it, no control characters, and at most `max` characters.
 */
export function excerpt(text: string, max = 60): string {
  const clean = text.replaceAll("`", "'").replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}
