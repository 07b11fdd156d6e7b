import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ once for the tests that run the built CLI, server and runner.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Kernel and server tests spawn processes; two cores are all CI has.
    maxWorkers: 2,
  },
});
