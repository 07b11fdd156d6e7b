import type { Context } from "probot";
import type { GitHubClient } from "../github/github-client.js";
import type { CommentRef } from "../github/reply-to-comment.js";
import type { TrainConfigResult } from "./read-train-config.js";

/**
 * A `/train` comment as the training flow receives it from the handler, once: where to answer,
 * the installation's client, and how to read the repository's config. Every command kind takes
 * this same shape.
 */
export interface TrainComment {
  ref: CommentRef;
  octokit: GitHubClient;
  log: Context["log"];
  deliveryId: string;
  installationId: number;
  /** The PR's state in the event; a closed PR takes no run and no cancel. */
  issueClosed: boolean;
  readConfig: () => Promise<TrainConfigResult>;
}
