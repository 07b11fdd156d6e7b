import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/** The Python that has Debian's python3-nbformat; the pyenv `python3` on PATH does not. */
export const ORACLE_PYTHON = "/usr/bin/python3";

export interface OracleVerdict {
  valid: boolean;
  /** "4.5" style, or null when nbformat could not read the file. */
  nbformat: string | null;
  /** Why it is invalid or unreadable, as nbformat says it; "" when valid. */
  reason: string;
}

export type OracleInput = { path: string } | { bytes: Uint8Array };

// Reads each input as bytes, decodes strict UTF-8, then nbformat.reads(NO_CONVERT) and isvalid.
// Anything that raises counts as invalid, as in the corpus's expected.json.
const SCRIPT = String.raw`
import base64, json, logging, sys, warnings
import nbformat
from nbformat import NO_CONVERT
from nbformat.validator import isvalid
assert nbformat.__version__ == "5.5.0", "the oracle must be nbformat 5.5.0, found " + nbformat.__version__
logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")
def verdict(data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return {"valid": False, "nbformat": None, "reason": "UnicodeDecodeError: " + str(e)[:200]}
    try:
        nb = nbformat.reads(text, as_version=NO_CONVERT)
    except BaseException as e:
        return {"valid": False, "nbformat": None, "reason": type(e).__name__ + ": " + str(e)[:200]}
    ver = "%s.%s" % (nb.get("nbformat"), nb.get("nbformat_minor"))
    try:
        ok = isvalid(nb)
    except BaseException as e:
        return {"valid": False, "nbformat": ver, "reason": "isvalid raised " + type(e).__name__ + ": " + str(e)[:200]}
    return {"valid": bool(ok), "nbformat": ver, "reason": "" if ok else "schema"}
out = []
for item in json.load(sys.stdin):
    if "path" in item:
        with open(item["path"], "rb") as f:
            data = f.read()
    else:
        data = base64.b64decode(item["b64"])
    out.append(verdict(data))
json.dump(out, sys.stdout)
`;

/**
 * Asks the reference implementation (nbformat 5.5.0 under /usr/bin/python3) for the verdict on
 * every input, in one Python process. Throws when Python or nbformat is missing: the tests that
 * use it must fail, not pass vacuously.
 */
export function askOracle(inputs: readonly OracleInput[]): OracleVerdict[] {
  if (!existsSync(ORACLE_PYTHON)) {
    throw new Error(`${ORACLE_PYTHON} is missing: install python3-nbformat (apt-get install -y python3-nbformat).`);
  }
  const payload = JSON.stringify(
    inputs.map((i) => ("path" in i ? { path: i.path } : { b64: Buffer.from(i.bytes).toString("base64") })),
  );
  let stdout: string;
  try {
    stdout = execFileSync(ORACLE_PYTHON, ["-c", SCRIPT], {
      input: payload,
      encoding: "utf8",
      maxBuffer: 1024 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(
      `The nbformat oracle failed; is python3-nbformat 5.5.0 installed for ${ORACLE_PYTHON}? ${stderr.slice(-2000)}`,
    );
  }
  const verdicts = JSON.parse(stdout) as OracleVerdict[];
  if (verdicts.length !== inputs.length) throw new Error(`The oracle answered ${verdicts.length} of ${inputs.length} inputs.`);
  return verdicts;
}
