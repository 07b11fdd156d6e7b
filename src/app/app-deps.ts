import type { CheckDeps } from "../checks/check-deps.js";
import type { PageAssets } from "../run-page/page-assets.js";
import type { RunPageSettings } from "../run-page/run-page-settings.js";
import type { TrainDeps } from "../training/train-deps.js";

// The capabilities own their deps' types; the app composes them and re-exports them for its wiring.
export type { CheckDeps, Templates } from "../checks/check-deps.js";
export type { TrainDeps } from "../training/train-deps.js";
export { DEFAULT_COMMANDS, DEFAULT_CONCURRENCY, DEFAULT_MAX_ANNOTATIONS } from "../checks/check-deps.js";

/** What the app needs from outside; tests pass their own, production uses `loadDefaultAppDeps()`. */
export interface AppDeps extends CheckDeps {
  /** `/train` on pull requests; without it the app only checks notebooks. */
  train?: TrainDeps;
  /** The live run page (src/run-page/) and check run progress; needs `train`. */
  page?: PageDeps;
}

/** What the run page needs beyond the training deps. */
export interface PageDeps {
  settings: RunPageSettings;
  /** uPlot and the page's script, read on first use. */
  assets: () => Promise<PageAssets>;
  /** Shortest time between two progress updates of one check run. Default 10 s. */
  progressIntervalMs?: number;
  /** How often running runs' progress is read from the store. Default 3 s. */
  progressPollMs?: number;
}


