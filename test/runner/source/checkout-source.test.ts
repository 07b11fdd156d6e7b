import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { trainCommand } from "../../../src/cli/train-command.js";
import { findCheckoutRoot } from "../../../src/runner/source/find-checkout-root.js";

const REPO = path.resolve(import.meta.dirname, "../../fixtures/source/repo");
const PYTHON = "/usr/bin/python3";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-checkout-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("nbtrain train in a local checkout", () => {
  it("finds the checkout's root from a folder inside it, and nothing outside one", () => {
    const checkout = path.join(dir, "clone");
    mkdirSync(path.join(checkout, ".git"), { recursive: true });
    mkdirSync(path.join(checkout, "a", "b"), { recursive: true });
    expect(findCheckoutRoot(path.join(checkout, "a", "b"))).toBe(checkout);
    expect(findCheckoutRoot(path.join(dir))).toBe(findCheckoutRoot(path.dirname(dir)));
  });

  it("uses the checkout as it is: the notebook's folder as cwd, the root on sys.path, no token, no download", async () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} with nbclient and ipykernel is needed for this test`);
    const checkout = path.join(dir, "clone");
    cpSync(REPO, checkout, { recursive: true });
    // A `.git` folder is what marks a checkout; no git command is needed to make one.
    mkdirSync(path.join(checkout, ".git"));
    let out = "";
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString("utf8");
        done();
      },
    });
    const code = await trainCommand(["notebooks/train.ipynb", "--run", "checkout-1", "--store", `file://${path.join(dir, "store")}`], {
      stdout: sink,
      stderr: sink,
      cwd: checkout,
      // No token anywhere, and no network: the checkout is all the run gets.
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, NBTRAIN_PYTHON: PYTHON },
    });
    expect(code, out).toBe(0);
    expect(readFileSync(path.join(dir, "store", "runs", "local", "clone", "checkout-1", "outputs", "summary.txt"), "utf8")).toBe("3 10.0 notebooks");
    expect(existsSync(path.join(dir, "store", "runs", "local", "clone", "checkout-1", "source.tar.gz"))).toBe(false);
  });
});
