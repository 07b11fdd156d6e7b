import { Probot, type ApplicationFunction } from "probot";
import type { WebhookRuntime } from "./create-webhook-handler.js";
import type { AsyncInvoker } from "./lambda-self-invoker.js";
import type { SecretLoader } from "./secret-loader.js";
import { readWebhookSettings } from "./webhook-settings.js";
import type { NodeHandler } from "./node-handler-bridge.js";

/** Secrets the app itself reads from its environment, resolved like the App's own. */
export const APP_SECRETS = ["NBTRAIN_GDRIVE_CREDENTIALS", "NBTRAIN_PAGE_KEY"] as const;

export interface WebhookRuntimeDeps {
  env: NodeJS.ProcessEnv;
  secrets: SecretLoader;
  /** The app, built the same way as for `npm start`, from an environment with its secrets resolved. */
  app: (env: NodeJS.ProcessEnv) => Promise<ApplicationFunction>;
  /** The asynchronous self-invocation, given this function's name. */
  invoker: (functionName: string) => AsyncInvoker;
  /** Probot options a test overrides (its Octokit, its logger). */
  probotOptions?: Partial<ConstructorParameters<typeof Probot>[0]>;
}

/**
 * Reads the settings and the App's secrets and builds Probot: a cold start's work. The app
 * itself (and whatever it imports) loads on the first delivery it must handle.
 */
export async function loadWebhookRuntime(deps: WebhookRuntimeDeps): Promise<WebhookRuntime> {
  const settings = readWebhookSettings(deps.env);
  const [appId, privateKey, secret] = await Promise.all([deps.secrets("APP_ID"), deps.secrets("PRIVATE_KEY"), deps.secrets("WEBHOOK_SECRET")]);
  const missing = [!appId && "APP_ID", !privateKey && "PRIVATE_KEY", !secret && "WEBHOOK_SECRET"].filter(Boolean);
  if (missing.length > 0 || !appId || !privateKey || !secret) {
    throw new Error(`Missing ${missing.join(", ")}: set each as NAME, NAME_SECRET_ID (Secrets Manager, optionally #field) or NAME_PARAMETER (SSM).`);
  }
  if (!/^\d+$/u.test(appId)) throw new Error("APP_ID must be the GitHub App's numeric id.");
  const probot = new Probot({
    appId: Number(appId),
    privateKey: privateKey.replace(/\\n/gu, "\n"),
    secret,
    logLevel: settings.logLevel,
    ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
    ...deps.probotOptions,
  });
  await probot.ready();

  // What the app adds with addHandler (the run page); the webhook handler runs GET requests through them.
  const handlers: NodeHandler[] = [];
  let loaded: Promise<void> | undefined;
  const loadApp = (): Promise<void> => {
    loaded ??= (async () => {
      const env = { ...deps.env };
      for (const name of APP_SECRETS) {
        const value = await deps.secrets(name);
        if (value !== undefined) env[name] = value;
      }
      handlers.length = 0;
      await probot.load(await deps.app(env), { cwd: process.cwd(), addHandler: (handler) => void handlers.push(handler) });
    })();
    loaded.catch(() => (loaded = undefined));
    return loaded;
  };

  return {
    probot,
    loadApp,
    handlers,
    secret,
    maxAsyncBytes: settings.maxAsyncBytes,
    ...(settings.mode === "async" && settings.functionName ? { invokeAsync: deps.invoker(settings.functionName) } : {}),
  };
}
