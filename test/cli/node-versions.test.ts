import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./build-cli.js";

const read = (file: string) => readFileSync(path.join(repoRoot, file), "utf8");

describe("one Node line everywhere", () => {
  const pkg = JSON.parse(read("package.json")) as { engines: { node: string }; devDependencies: Record<string, string>; scripts: Record<string, string> };

  it("supports Node 22 and later, and runs what it declares", () => {
    expect(pkg.engines.node).toBe(">=22");
    const [major] = process.versions.node.split(".").map(Number);
    expect(major).toBeGreaterThanOrEqual(22);
  });

  it("targets Node 24 where it deploys and builds: Lambda, the functions' bundles, the types and CI", () => {
    expect(read("templates/sam.yaml")).toMatch(/^\s+Runtime: nodejs24\.x$/m);
    expect(read("scripts/lib/bundle-function.ts")).toMatch(/target: "node24"/);
    expect(pkg.devDependencies["@types/node"]).toMatch(/^24\./);
    expect(read(".ci/run")).toMatch(/NODE_MAJOR="\$\{NODE_MAJOR:-24\}"/);
    expect(read("action.yml")).toMatch(/node-version: 24/);
    // The CLI's check bundle must still load on the oldest supported line.
    expect(pkg.scripts["build:cli"]).toContain("--target=node22");
  });

  it("says so in the README's fresh-machine commands", () => {
    expect(read("README.md")).toMatch(/Node\.js ≥ 22/);
    expect(read("README.md")).not.toMatch(/Node\.js ≥ 20/);
  });
});
