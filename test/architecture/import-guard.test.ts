import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkImportRules, type ImportViolation } from "../support/check-import-rules.js";
import { readImports } from "../support/read-imports.js";
import { repoRoot } from "../support/repo-root.js";

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** Writes a small `src/` tree into a temp folder and returns that `src/`. */
function plantTree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "nbtrain-guard-"));
  temps.push(root);
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(root, "src", name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return path.join(root, "src");
}

const summary = (violations: ImportViolation[]) => violations.map((v) => `${v.rule} ${v.file} ${v.specifier}`);

describe("readImports", () => {
  it("finds static, re-exported, side-effect, dynamic and type-only imports with their lines", () => {
    const source = [
      'import { a,',
      '  b } from "./a.js";',
      'import type { T } from "./types.js";',
      'export { c } from "./c.js";',
      'export type { U } from "./u.js";',
      'export * from "./all.js";',
      'import "./side-effect.js";',
      'const m = await import("node:fs/promises");',
      'type Drive = typeof import("@googleapis/drive");',
      'const r = require("node:child_process");',
    ].join("\n");
    expect(readImports(source)).toEqual([
      { specifier: "./a.js", line: 2, typeOnly: false, dynamic: false },
      { specifier: "./types.js", line: 3, typeOnly: true, dynamic: false },
      { specifier: "./c.js", line: 4, typeOnly: false, dynamic: false },
      { specifier: "./u.js", line: 5, typeOnly: true, dynamic: false },
      { specifier: "./all.js", line: 6, typeOnly: false, dynamic: false },
      { specifier: "./side-effect.js", line: 7, typeOnly: false, dynamic: false },
      { specifier: "node:fs/promises", line: 8, typeOnly: false, dynamic: true },
      { specifier: "@googleapis/drive", line: 9, typeOnly: true, dynamic: true },
      { specifier: "node:child_process", line: 10, typeOnly: false, dynamic: false },
    ]);
  });

  it("takes no import from comments, strings, templates or regular expressions", () => {
    const source = [
      '// import fs from "node:fs";',
      '/* export { x } from "node:net"; */',
      'const help = "import x from \\"node:http\\"";',
      'const t = `import("node:fs") ${ "a" + `nested ${1}` } from "node:net"`;',
      'const re = /["\'`]import("node:fs")/g;',
      'const ratio = 4 / 2; const more = ratio / 2;',
      'Array.from("abc");',
      'import { real } from "./real.js";',
    ].join("\n");
    expect(readImports(source)).toEqual([{ specifier: "./real.js", line: 8, typeOnly: false, dynamic: false }]);
  });
});

describe("checkImportRules on planted trees", () => {
  it("passes a tree that keeps the rules, so a failure below is the planted violation", () => {
    const src = plantTree({
      "notebook/read.ts": 'import { z } from "zod";\nimport { join } from "node:path";\nimport { limits } from "../config/limits.js";\n',
      "config/limits.ts": "export const limits = 1;\n",
      "runs/registry.ts": 'import type { Store } from "../storage/store.js";\n',
      "storage/store.ts": "export interface Store { get(key: string): Promise<string> }\n",
      "storage/s3-store.ts": 'import { S3Client } from "@aws-sdk/client-s3";\nimport type { Store } from "./store.js";\n',
      "compute/local.ts": 'import { spawn } from "node:child_process";\nimport type { Store } from "../storage/store.js";\n',
      "app/wiring.ts": 'import { S3Store } from "../storage/s3-store.js";\nimport { run } from "../compute/local.js";\n',
    });
    expect(checkImportRules(src)).toEqual([]);
  });

  it("reports a pure file that imports node:fs, an I/O module in any spelling, or an SDK", () => {
    const src = plantTree({
      "notebook/read-file.ts": 'import { readFileSync } from "node:fs";\nexport const read = readFileSync;\n',
      "commands/spawn.ts": 'export const run = async () => (await import("child_process")).spawn;\n',
      "links/fetch.ts": 'import { readFile } from "fs/promises";\nimport http from "node:http";\nimport net from "node:net";\n',
      "report/post.ts": 'import { Probot } from "probot";\nimport { S3Client } from "@aws-sdk/client-s3";\n',
      "config/drive.ts": 'import type { drive_v3 } from "@googleapis/drive";\nimport { Octokit } from "@octokit/rest";\n',
      "review-copies/plan/auth.ts": 'import { GoogleAuth } from "google-auth-library";\n',
      "review-copies/drive-io.ts": 'import { readFile } from "node:fs/promises";\n',
    });
    const violations = checkImportRules(src);
    expect(summary(violations).sort()).toEqual(
      [
        "pure-no-io src/notebook/read-file.ts node:fs",
        "pure-no-io src/commands/spawn.ts child_process",
        "pure-no-io src/links/fetch.ts fs/promises",
        "pure-no-io src/links/fetch.ts node:http",
        "pure-no-io src/links/fetch.ts node:net",
        "pure-no-io src/report/post.ts probot",
        "pure-no-io src/report/post.ts @aws-sdk/client-s3",
        "pure-no-io src/config/drive.ts @googleapis/drive",
        "pure-no-io src/config/drive.ts @octokit/rest",
        "pure-no-io src/review-copies/plan/auth.ts google-auth-library",
      ].sort(),
    );
    // The message names the file and line, the import, and the rule.
    expect(violations.find((v) => v.file === "src/notebook/read-file.ts")?.message).toBe(
      'src/notebook/read-file.ts:1 imports "node:fs": src/notebook/ is pure ' +
        "(rule pure-no-io: a pure folder may not import node:fs/net/http/child_process or an SDK)",
    );
  });

  it("reports a pure file that imports an adapter, other than `import type` of a port", () => {
    const src = plantTree({
      "storage/store.ts": "export interface Store {}\nexport const NO_STORE = null;\n",
      "storage/s3-store.ts": "export class S3Store {}\n",
      "github/fetch-notebook.ts": "export const fetchNotebook = 1;\n",
      "runs/registry.ts": 'import type { Store } from "../storage/store.js";\nimport { NO_STORE } from "../storage/store.js";\n',
      "report/render.ts": 'import type { S3Store } from "../storage/s3-store.js";\n',
      "review-copies/plan/plan.ts": 'import { fetchNotebook } from "../../github/fetch-notebook.js";\n',
    });
    expect(summary(checkImportRules(src)).sort()).toEqual(
      [
        "pure-no-adapter src/runs/registry.ts ../storage/store.js",
        "pure-no-adapter src/report/render.ts ../storage/s3-store.js",
        "pure-no-adapter src/review-copies/plan/plan.ts ../../github/fetch-notebook.js",
      ].sort(),
    );
  });

  it("reports a pure file that imports a capability, the app or the runner, which bring adapters with them", () => {
    const src = plantTree({
      "training/start.ts": "export const start = 1;\n",
      "app/app-deps.ts": "export interface AppDeps {}\n",
      "runner/run.ts": "export const run = 1;\n",
      "util/lock.ts": "export const lock = 1;\n",
      "report/render.ts": 'import { start } from "../training/start.js";\nimport { lock } from "../util/lock.js";\n',
      "runs/registry.ts": 'import type { AppDeps } from "../app/app-deps.js";\n',
      "review-copies/plan/plan.ts": 'import { run } from "../../runner/run.js";\nimport { lock } from "../../util/lock.js";\n',
    });
    const violations = checkImportRules(src);
    expect(summary(violations).sort()).toEqual(
      [
        "pure-only-core src/report/render.ts ../training/start.js",
        "pure-only-core src/runs/registry.ts ../app/app-deps.js",
        "pure-only-core src/review-copies/plan/plan.ts ../../runner/run.js",
      ].sort(),
    );
    expect(violations.find((v) => v.file === "src/runs/registry.ts")?.message).toBe(
      'src/runs/registry.ts:1 imports "../app/app-deps.js": src/runs/ is pure and src/app/ is not ' +
        "(rule pure-only-core: a pure folder imports only pure folders and src/util/, never a capability or an entry point)",
    );
  });

  it("reports an adapter that imports another adapter", () => {
    const src = plantTree({
      "storage/s3-store.ts": 'import { tag } from "../compute/batch-job-tags.js";\n',
      "compute/batch-job-tags.ts": "export const tag = 1;\n",
      "github/comments.ts": 'export { S3Store } from "../storage/s3-store.js";\n',
    });
    const violations = checkImportRules(src);
    expect(summary(violations).sort()).toEqual([
      "adapter-no-adapter src/github/comments.ts ../storage/s3-store.js",
      "adapter-no-adapter src/storage/s3-store.ts ../compute/batch-job-tags.js",
    ]);
    expect(violations.find((v) => v.file === "src/storage/s3-store.ts")?.message).toBe(
      'src/storage/s3-store.ts:1 imports "../compute/batch-job-tags.js": src/storage/ and src/compute/ are both adapters ' +
        "(rule adapter-no-adapter: an adapter may not import another adapter (only `import type` of a port))",
    );
  });

  it("reports a capability that imports src/app/, even for a type", () => {
    const src = plantTree({
      "app/app-deps.ts": "export interface TrainDeps { a: number }\n",
      "app/create-app.ts": 'import type { TrainDeps } from "./app-deps.js";\n',
      "training/start-run.ts": 'import type { TrainDeps } from "../app/app-deps.js";\n',
    });
    expect(summary(checkImportRules(src))).toEqual(["only-app-imports-app src/training/start-run.ts ../app/app-deps.js"]);
  });

  it("reports a three-file import circle with its path, type-only and dynamic imports included", () => {
    const src = plantTree({
      "training/a.ts": 'import { b } from "./b.js";\nexport const a = b;\n',
      "training/b.ts": 'import type { C } from "../util/c.js";\nexport const b = 1;\n',
      "util/c.ts": 'export type C = number;\nexport const load = () => import("../training/a.js");\n',
      "training/outside.ts": 'import { a } from "./a.js";\n',
    });
    const violations = checkImportRules(src);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({
      rule: "no-circle",
      file: "src/training/a.ts",
      specifier: "src/training/a.ts -> src/training/b.ts -> src/util/c.ts -> src/training/a.ts",
      component: ["src/training/a.ts", "src/training/b.ts", "src/util/c.ts"],
    });
    expect(violations[0]!.message).toBe(
      "src/training/a.ts:1 starts an import circle: src/training/a.ts -> src/training/b.ts -> src/util/c.ts -> src/training/a.ts " +
        "(rule no-circle: no import circles between files)",
    );
  });

  it("reports a file that imports itself", () => {
    const src = plantTree({ "util/self.ts": 'export * from "./self.js";\n' });
    expect(summary(checkImportRules(src))).toEqual(["no-circle src/util/self.ts src/util/self.ts -> src/util/self.ts"]);
  });
});

describe("the real src/", () => {
  it("keeps the layering rules", () => {
    expect(checkImportRules(path.join(repoRoot, "src")).map((v) => v.message)).toEqual([]);
  });
});
