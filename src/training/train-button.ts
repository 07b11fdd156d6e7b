import type { Context } from "probot";
import type { GitHubClient } from "../github/github-client.js";
import type { RunRequest } from "../runs/run-request.js";
import type { TrainConfigResult } from "./read-train-config.js";

/**
 * A button on a training check run as the training flow receives it from the handler, once: the
 * run it belongs to (its request, read from the store), who pressed it, and how to answer.
 */
export interface TrainButton {
  action: "cancel" | "rerun" | "continue";
  /** The run whose check run carries the button. */
  request: RunRequest;
  /** Who pressed it. */
  user: string;
  octokit: GitHubClient;
  log: Context["log"];
  /** The webhook delivery: a redelivered re-run click is recognised by it. */
  deliveryId: string;
  installationId: number;
  readConfig: () => Promise<TrainConfigResult>;
}
