/**
 * Escapes text (a file path, a message) for inline Markdown inside a table cell, so that
 * `|`, `*`, `<`, backticks and brackets show as typed and cannot break the table or inject HTML.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/gu, (ch) => `\\${ch}`).replace(/\r?\n/gu, " ");
}
