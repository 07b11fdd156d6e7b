import { readFile } from "node:fs/promises";
import path from "node:path";
import { checkNotebook } from "../notebook/check-notebook.js";
import type { NotebookV4 } from "../notebook/inject-parameters.js";
import type { RunSpec } from "./run-spec.js";
import { RunInputError } from "./run-input-error.js";

export interface LoadedNotebook {
  /** As named in messages. */
  name: string;
  /** The folder the notebook sits in, when it came from a path (for requirements.txt and the kernel's cwd). */
  dir: string | null;
  notebook: NotebookV4;
}

/**
 * Reads the spec's notebook and refuses it, with its findings, when the check reports an error
 * or when it is not nbformat 4 (nbclient runs only v4). Does no writing of any kind.
 */
export async function loadNotebook(spec: RunSpec, cwd: string): Promise<LoadedNotebook> {
  let name: string;
  let dir: string | null = null;
  let bytes: Uint8Array;
  if ("path" in spec.notebook) {
    const file = path.resolve(cwd, spec.notebook.path);
    name = spec.notebook.path;
    dir = path.dirname(file);
    try {
      bytes = await readFile(file);
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new RunInputError(
        code === "ENOENT" ? `Notebook ${name} does not exist; check the path.` : code === "EISDIR" ? `${name} is a folder, not a notebook.` : `Cannot read notebook ${name}: ${(error as Error).message}`,
      );
    }
  } else {
    name = spec.notebook.name;
    bytes = Buffer.from(spec.notebook.base64, "base64");
  }
  const report = checkNotebook(name, bytes);
  const errors = report.findings.filter((finding) => finding.severity === "error");
  if (errors.length > 0) {
    const lines = errors.map((finding) => `  ${name}${finding.line ? `:${finding.line}${finding.column ? `:${finding.column}` : ""}` : ""}  ${finding.rule}  ${finding.message}`);
    throw new RunInputError(`Notebook ${name} cannot run: nbtrain check found ${errors.length} error${errors.length === 1 ? "" : "s"}:\n${lines.join("\n")}`);
  }
  let notebook: NotebookV4;
  try {
    notebook = JSON.parse(Buffer.from(bytes).toString("utf8")) as NotebookV4;
  } catch {
    throw new RunInputError(`Notebook ${name} is not JSON that the runner can read; re-save it from Jupyter.`);
  }
  if (notebook.nbformat !== 4) {
    throw new RunInputError(`Notebook ${name} is nbformat ${String(notebook.nbformat)}; runs need nbformat 4. Convert it with: jupyter nbconvert --to notebook --inplace ${name}`);
  }
  return { name, dir, notebook };
}
