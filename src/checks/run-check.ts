import type { Context } from "probot";
import type { CheckTarget } from "../github/check-target.js";
import type { CheckRequest } from "./run-notebook-check.js";

/** What a handler calls once its guards pass: runs (or queues) the notebook check for a target. */
export type RunCheck = (context: Context, target: CheckTarget, request?: CheckRequest) => Promise<void>;
