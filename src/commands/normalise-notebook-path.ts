import { excerpt } from "./excerpt.js";
/**
 * Checks a notebook path typed in a comment and returns it repository-relative and `/`-separated
 * (`./a/b.ipynb` → `a/b.ipynb`), or an error message. Absolute paths, `..` segments, backslashes
 * and control characters are refused so that the path can never leave the repository checkout.
 */
export function normaliseNotebookPath(input: string): { path: string } | { error: string } {
  if (/[\u0000-\u001f\u007f]/.test(input)) {
    return { error: "The notebook path contains control characters; write it as it appears in the repository." };
  }
  if (input.includes("\\")) {
    return { error: `\`${excerpt(input)}\` contains a backslash; separate folders with \`/\`.` };
  }
  if (input.startsWith("/") || /^[A-Za-z]:/.test(input) || input.startsWith("~")) {
    return { error: `\`${excerpt(input)}\` is absolute; give the path relative to the repository root, e.g. \`notebooks/train.ipynb\`.` };
  }
  const segments = input.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) {
    return { error: `\`${excerpt(input)}\` leaves the repository (\`..\`); give the path from the repository root.` };
  }
  const path = segments.join("/");
  if (!path.toLowerCase().endsWith(".ipynb") || segments.at(-1)!.length <= ".ipynb".length) {
    return { error: `\`${excerpt(input)}\` is not a notebook: the path must end in \`.ipynb\`.` };
  }
  if (path.length > 1024) {
    return { error: "The notebook path is longer than 1024 characters." };
  }
  return { path };
}
