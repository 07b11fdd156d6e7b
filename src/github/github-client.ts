import type { Context } from "probot";

/** The installation-authenticated Octokit a webhook's context carries. */
export type GitHubClient = Context["octokit"];
