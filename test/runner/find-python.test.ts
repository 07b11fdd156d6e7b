import { describe, expect, it } from "vitest";
import { findPython, PythonNotFoundError } from "../../src/runner/find-python.js";

describe("findPython", () => {
  it("finds an interpreter that can import nbclient and ipykernel, and returns its sys.executable", async () => {
    // `python3` on PATH may be one without nbclient (a pyenv one here); the Debian interpreter can run notebooks.
    const env = { ...process.env };
    delete env.NBTRAIN_PYTHON;
    expect(await findPython(env)).toBe("/usr/bin/python3");
  });

  it("uses NBTRAIN_PYTHON when it is set", async () => {
    expect(await findPython({ ...process.env, NBTRAIN_PYTHON: "/usr/bin/python3" })).toBe("/usr/bin/python3");
  });

  it("says what to install or set when the chosen interpreter cannot run notebooks", async () => {
    const error = await findPython({ ...process.env, NBTRAIN_PYTHON: "/nonexistent/python" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PythonNotFoundError);
    expect((error as Error).message).toMatch(/NBTRAIN_PYTHON=\/nonexistent\/python cannot import nbclient, ipykernel and nbformat/);
  });
});
