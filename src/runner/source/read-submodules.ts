import { readFile } from "node:fs/promises";
import path from "node:path";

/**
 * The submodule paths `.gitmodules` declares. Archives leave submodules out (not even an empty
 * folder), so these are reported as missing rather than failing later on an import.
 */
export async function readSubmodules(root: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path.join(root, ".gitmodules"), "utf8");
  } catch {
    return [];
  }
  const paths: string[] = [];
  for (const line of text.split(/\r?\n/u)) {
    const match = /^\s*path\s*=\s*(.+?)\s*$/u.exec(line);
    if (match) paths.push(match[1]!.replace(/^"(.*)"$/u, "$1"));
  }
  return paths;
}
