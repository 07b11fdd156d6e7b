import { parseRepoConfig } from "../config/load-repo-config.js";
import { checkNotebook } from "../notebook/check-notebook.js";
import type { AppDeps } from "./app-deps.js";
import { loadShareDeps } from "./load-share-deps.js";
import { loadTemplates } from "./load-templates.js";
import { loadTrainDeps } from "./load-train-deps.js";
import { loadPageAssets } from "../run-page/page-assets.js";
import { readRunPageSettings } from "../run-page/run-page-settings.js";
import { openStore } from "../storage/open-store.js";
import { createClaims } from "../util/claims.js";

/**
 * The app's production dependencies: the real engine and config parser, the templates from
 * templates/, and the web host for links (`GHE_HOST`/`GHE_PROTOCOL` when set). Every entrypoint
 * (`npm start`, the Lambda webhook) builds the app from this. `/train` runs on the backend the
 * environment names (see loadTrainDeps); pass `train: false` where jobs must not be started.
 * Check-run claims go to the training store, or to NBTRAIN_STORE when training is off; with
 * neither, they hold in this process only, which is right for one instance and says so at start.
 */
export async function loadDefaultAppDeps(env: NodeJS.ProcessEnv = process.env, options: { train?: boolean; cwd?: string } = {}): Promise<AppDeps> {
  const train = options.train === false ? null : await loadTrainDeps(env, options.cwd ?? process.cwd(), (message, error) => console.error(`nbtrain: ${message}`, error ?? ""));
  const pageSettings = train ? readRunPageSettings(env) : null;
  const progressSeconds = env.NBTRAIN_PROGRESS_INTERVAL_SECONDS === undefined ? undefined : Number(env.NBTRAIN_PROGRESS_INTERVAL_SECONDS);
  if (progressSeconds !== undefined && !(progressSeconds >= 1 && progressSeconds <= 3600)) throw new Error("NBTRAIN_PROGRESS_INTERVAL_SECONDS must be between 1 and 3600.");
  const claimStore = train?.store ?? (env.NBTRAIN_STORE ? await openStore(env.NBTRAIN_STORE, { baseDir: options.cwd ?? process.cwd(), env }) : undefined);
  if (!claimStore) {
    console.error("nbtrain: no store (NBTRAIN_STORE) to claim check runs in; they are claimed in this process only. Set NBTRAIN_STORE to a shared store before running several instances.");
  }
  const appId = Number(env.APP_ID);
  return {
    ...(train ? { train } : {}),
    claims: createClaims(claimStore),
    ...(Number.isInteger(appId) && appId > 0 ? { appId } : {}),
    ...(pageSettings ? { page: { settings: pageSettings, assets: loadPageAssets, ...(progressSeconds ? { progressIntervalMs: progressSeconds * 1000 } : {}) } } : {}),
    checkNotebook,
    parseRepoConfig,
    share: loadShareDeps(env),
    templates: await loadTemplates(),
    webBase: env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}` : "https://github.com",
  };
}
