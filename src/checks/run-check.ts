import type { Context } from "probot";
import type { CheckTarget } from "../github/check-target.js";

/** What a handler calls once its guards pass: runs (or queues) the notebook check for a target. */
export type RunCheck = (context: Context, target: CheckTarget) => Promise<void>;
