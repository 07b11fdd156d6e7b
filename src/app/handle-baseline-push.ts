import type { Context } from "probot";
import type { TrainDeps } from "./app-deps.js";
import { describeError } from "../github/describe-error.js";
import { trainBaselinesOnPush } from "../training/train-baselines-on-push.js";
import { isBotSender } from "./is-bot-sender.js";

/** push: a push to the default branch trains the `train.baseline` notebooks it changed (see training/). */
export function handleBaselinePush(train: TrainDeps, clock: () => Date) {
  return async (context: Context<"push">): Promise<void> => {
    if (isBotSender(context)) return;
    try {
      await trainBaselinesOnPush(context, train, clock);
    } catch (error) {
      // The notebook check of the same push must not fail because a baseline could not start.
      context.log.error({ reason: describeError(error) }, "baselines of the push could not be started");
    }
  };
}
