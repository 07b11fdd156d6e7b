/**
 * Colab's URL for a notebook stored in Google Drive. It opens with one click for anyone the file
 * is shared with, with no GitHub authorisation, which is why review copies use it.
 */
export function driveColabUrl(fileId: string): string {
  // `(` and `)` would end a Markdown link early; encodeURIComponent leaves them.
  const id = encodeURIComponent(fileId).replace(/[!'()*]/gu, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `https://colab.research.google.com/drive/${id}`;
}
