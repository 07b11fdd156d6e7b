import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { VOLATILE_METADATA, stripNotebook } from "../notebook/strip/strip-notebook.js";
import { describeFsError } from "./describe-fs-error.js";
import { findNotebooks } from "./find-notebooks.js";
import type { CliIo } from "./cli-io.js";
import { writeFileAtomic } from "./write-file-atomic.js";

const USAGE = `Usage: nbtrain strip [PATH ...] [options]

Clears code cells' outputs and execution counts and drops volatile metadata, then writes each
notebook back exactly as nbformat's own writer would. Files that need no change are not touched.

  PATH                    a notebook, a directory (searched for *.ipynb) or a glob;
                          the current directory when none is given
  --keep-output           keep outputs
  --keep-count            keep execution counts
  --keep-metadata KEY     keep one of the metadata dropped by default; repeatable
  --drop-metadata KEY     also drop this metadata (cell.metadata.KEY or metadata.KEY); repeatable
  --check                 write nothing; exit 1 if any notebook would change
  --stdout                write the stripped notebook to stdout instead (one PATH only)
  -h, --help              show this help

Dropped by default: ${VOLATILE_METADATA.join(", ")}.
Exit codes: 0 done (or nothing to change), 1 a notebook would change (--check) or could not be
stripped, 2 usage error.
`;

/** `nbtrain strip`: rewrites notebooks without outputs; never writes one it could not read exactly. */
export async function stripCommand(args: string[], io: CliIo, deps = { findNotebooks, writeFileAtomic }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        "keep-output": { type: "boolean" },
        "keep-count": { type: "boolean" },
        "keep-metadata": { type: "string", multiple: true },
        "drop-metadata": { type: "string", multiple: true },
        check: { type: "boolean" },
        stdout: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return usage(io, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  for (const key of [...(values["keep-metadata"] ?? []), ...(values["drop-metadata"] ?? [])]) {
    if (!/^(cell\.)?metadata(\.[^.]+)+$/.test(key)) return usage(io, `"${key}" is not a metadata key; write metadata.KEY or cell.metadata.KEY`);
  }
  const keep = new Set(values["keep-metadata"] ?? []);
  const dropMetadata = [...VOLATILE_METADATA.filter((key) => !keep.has(key)), ...(values["drop-metadata"] ?? [])];
  const options = { keepOutput: values["keep-output"] === true, keepCount: values["keep-count"] === true, dropMetadata };

  const found = await deps.findNotebooks(positionals, { cwd: io.cwd, include: ["**/*.ipynb"], exclude: [] });
  for (const pattern of found.unmatched) io.stderr.write(`nbtrain strip: no files match "${pattern}"\n`);
  if (values.stdout && found.files.length !== 1) return usage(io, `--stdout takes exactly one notebook (got ${found.files.length})`);

  let failed = found.unmatched.length > 0;
  let changed = 0;
  for (const file of found.files) {
    let bytes: Uint8Array;
    try {
      if (file.error !== undefined) throw new Error(file.error);
      bytes = readFileSync(file.absolute);
    } catch (error) {
      io.stderr.write(`nbtrain strip: ${file.path}: ${error instanceof Error && !("code" in error) ? error.message : `cannot read: ${describeFsError(error)}`}\n`);
      failed = true;
      continue;
    }
    const result = stripNotebook(bytes, options);
    if (!result.ok) {
      io.stderr.write(`nbtrain strip: ${file.path}: ${result.message}\n`);
      failed = true;
      continue;
    }
    if (values.stdout) {
      io.stdout.write(result.text);
      continue;
    }
    if (!result.changed) continue;
    changed++;
    if (values.check) {
      io.stdout.write(`${file.path}: would be stripped\n`);
      continue;
    }
    try {
      deps.writeFileAtomic(file.absolute, result.text);
      io.stdout.write(`${file.path}: stripped\n`);
    } catch (error) {
      io.stderr.write(`nbtrain strip: ${file.path}: cannot write, the file is unchanged: ${describeFsError(error)}\n`);
      failed = true;
    }
  }
  return failed || (values.check === true && changed > 0) ? 1 : 0;
}

function usage(io: CliIo, message: string): number {
  io.stderr.write(`nbtrain strip: ${message}\n\n${USAGE}`);
  return 2;
}
