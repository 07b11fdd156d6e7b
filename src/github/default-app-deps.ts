import { parseRepoConfig } from "../config/load-repo-config.js";
import { checkNotebook } from "../notebook/check-notebook.js";
import type { AppDeps } from "./app-deps.js";
import { loadTemplates } from "./load-templates.js";

/**
 * The app's production dependencies: the real engine and config parser, the templates from
 * templates/, and the web host for links (`GHE_HOST`/`GHE_PROTOCOL` when set). Every entrypoint
 * (`npm start`, the Lambda webhook) builds the app from this.
 */
export async function loadDefaultAppDeps(env: NodeJS.ProcessEnv = process.env): Promise<AppDeps> {
  return {
    checkNotebook,
    parseRepoConfig,
    templates: await loadTemplates(),
    webBase: env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}` : "https://github.com",
  };
}
