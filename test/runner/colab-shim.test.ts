import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, readlinkSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pythonDir } from "../../src/runner/package-root.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nbtrain-colab-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs Python with the google.colab stand-in first on the path, as the runner gives it to the kernel. */
function python(code: string, env: Record<string, string> = {}): string {
  return execFileSync("/usr/bin/python3", ["-c", code], {
    cwd: dir,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", PYTHONPATH: path.join(pythonDir(), "colab-shim"), NBTRAIN_DRIVE_DIR: path.join(dir, "drive-folder"), NBTRAIN_OUTPUT_DIR: path.join(dir, "out"), ...env },
  }).toString();
}

describe("the google.colab stand-in", () => {
  it("maps /content/drive/MyDrive to the run's folder for open, os, pathlib, glob, numpy and torch, touching nothing under /content", () => {
    const printed = python(`
import os, glob, pathlib, shutil
import numpy as np
from google.colab import drive
drive.mount('/content/drive')
import torch  # imported after the mount: patched on import
root = '/content/drive/MyDrive'
os.makedirs(root + '/ckpt', exist_ok=True)
with open(root + '/ckpt/notes.txt', 'w') as handle:
    handle.write('hello')
np.save(root + '/ckpt/weights.npy', np.arange(4))
torch.save({'epoch': 3}, root + '/ckpt/model.pt')
pathlib.Path(root, 'ckpt', 'p.txt').write_text('pathlib')
shutil.copy(root + '/ckpt/notes.txt', root + '/copy.txt')
print(sorted(os.listdir(root + '/ckpt')))
print(os.path.exists(root + '/ckpt/model.pt'), torch.load(root + '/ckpt/model.pt')['epoch'], int(np.load(root + '/ckpt/weights.npy').sum()))
print(sorted(glob.glob(root + '/*')))
print(len(os.listdir()) >= 0)
`);
    expect(printed.trim().split("\n")).toEqual([
      "Mounted at /content/drive",
      "['model.pt', 'notes.txt', 'p.txt', 'weights.npy']",
      "True 3 6",
      "['/content/drive/MyDrive/ckpt', '/content/drive/MyDrive/copy.txt']",
      "True",
    ]);
    expect(existsSync(path.join(dir, "drive-folder", "ckpt", "model.pt"))).toBe(true);
    expect(existsSync(path.join(dir, "drive-folder", "copy.txt"))).toBe(true);
    expect(existsSync("/content/drive")).toBe(false);
  });

  it("patches torch.save when torch was imported before the mount", () => {
    python(`
import torch
from google.colab import drive
drive.mount('/content/drive')
torch.save([1, 2], '/content/drive/MyDrive/early.pt')
`);
    expect(existsSync(path.join(dir, "drive-folder", "early.pt"))).toBe(true);
  });

  it("makes a real symlink with NBTRAIN_COLAB_LINK=1, for containers that may write the mountpoint", () => {
    const mountpoint = path.join(dir, "content", "drive");
    python(`
from google.colab import drive
drive.mount(${JSON.stringify(mountpoint)})
open(${JSON.stringify(path.join(mountpoint, "MyDrive", "x.txt"))}, 'w').write('linked')
`, { NBTRAIN_COLAB_LINK: "1" });
    const link = path.join(mountpoint, "MyDrive");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(path.join(dir, "drive-folder"));
  });

  it("stubs files, output and userdata harmlessly or with a clear error", async () => {
    const printed = python(`
import os
from google.colab import files, output, userdata
open('report.txt', 'w').write('r')
files.download('report.txt')
output.enable_custom_widget_manager()
output.no_vertical_scroll()
for call in (lambda: files.upload(), lambda: output.eval_js('1'), lambda: userdata.get('HF_TOKEN')):
    try:
        call()
    except Exception as error:
        print(type(error).__name__, '|', str(error))
`);
    expect(printed).toContain("NotImplementedError | files.upload() needs a browser, which an nbtrain run does not have");
    expect(printed).toContain("NotImplementedError | output.eval_js needs Colab's browser frontend, which an nbtrain run does not have");
    expect(printed).toContain("SecretNotFoundError | \"Colab secret 'HF_TOKEN' is not available under nbtrain: Colab's secrets live in the browser session");
    expect(await readFile(path.join(dir, "out", "downloads", "report.txt"), "utf8")).toBe("r");
  });
});
