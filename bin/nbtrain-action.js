#!/usr/bin/env node
// The GitHub Action's entry (see action.yml): nbtrain check on $GITHUB_WORKSPACE, as annotations.
const { runGithubAction } = await import("../dist/src/cli/github-action.js");
process.exitCode = await runGithubAction(process.env, { stdout: process.stdout, stderr: process.stderr });
