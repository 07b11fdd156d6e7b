import { Probot } from "probot";
import type { JobLogs, JobStateListener } from "../../src/compute/compute.js";
import type { GitHubClient } from "../../src/github/github-client.js";
import { reportJobEvent } from "../../src/training/report-job-event.js";
import { readCloudWatchLogTail } from "../../src/compute/read-cloudwatch-log-tail.js";
import { openStore } from "../../src/storage/open-store.js";
import { APP_SECRETS } from "./load-webhook-runtime.js";
import type { SecretLoader } from "./secret-loader.js";
import { readWebhookSettings } from "./webhook-settings.js";
import { readRunPageSettings } from "../../src/run-page/run-page-settings.js";

export interface JobReporterDeps {
  env: NodeJS.ProcessEnv;
  secrets: SecretLoader;
  /** Probot options a test overrides (its Octokit, its logger). */
  probotOptions?: Partial<ConstructorParameters<typeof Probot>[0]>;
  clock?: () => Date;
  /** Reads a failed job's log tail; defaults to CloudWatch Logs (GetLogEvents). */
  readLogTail?: (logs: JobLogs) => Promise<string | null>;
}

/**
 * The Batch events function's reporter: the same `reportJobEvent` the app subscribes to the
 * local backend, authenticated as the App and reading results from the deployment's store.
 * Throws with the variable to fix when the App's credentials or NBTRAIN_STORE are missing.
 */
export async function loadJobReporter(deps: JobReporterDeps): Promise<JobStateListener> {
  const settings = readWebhookSettings({ ...deps.env, NBTRAIN_WEBHOOK_MODE: "inline" });
  const [appId, privateKey] = await Promise.all([deps.secrets("APP_ID"), deps.secrets("PRIVATE_KEY")]);
  if (!appId || !privateKey) throw new Error(`Missing ${[!appId && "APP_ID", !privateKey && "PRIVATE_KEY"].filter(Boolean).join(", ")}: set each as NAME, NAME_SECRET_ID (Secrets Manager, optionally #field) or NAME_PARAMETER (SSM).`);
  if (!/^\d+$/u.test(appId)) throw new Error("APP_ID must be the GitHub App's numeric id.");
  const storeUri = deps.env.NBTRAIN_STORE;
  if (!storeUri) throw new Error("NBTRAIN_STORE is not set: name the s3:// or gdrive:// store the Batch jobs write to.");
  const env = { ...deps.env };
  for (const name of APP_SECRETS) {
    const value = await deps.secrets(name);
    if (value !== undefined) env[name] = value;
  }
  const store = await openStore(storeUri, { baseDir: process.cwd(), env });
  const probot = new Probot({
    appId: Number(appId),
    privateKey: privateKey.replace(/\\n/gu, "\n"),
    logLevel: settings.logLevel,
    ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
    ...deps.probotOptions,
  });
  const readLogTail = deps.readLogTail ?? readCloudWatchLogTail();
  // A run that ends no longer needs its read-only token: its secret (nbtrain/job-token/<run-id>) is deleted.
  const region = deps.env.AWS_REGION;
  const secrets = deps.env.NBTRAIN_JOB_SOURCE === "archive" && region ? new (await import("../../src/compute/aws-job-token-remover.js")).AwsJobTokenRemover({ region }) : undefined;
  // With NBTRAIN_PUBLIC_URL, reports link the run page (signed with the key the webhook function serves it with).
  const runPage = deps.env.NBTRAIN_PUBLIC_URL
    ? readRunPageSettings({ ...deps.env, NBTRAIN_PAGE_KEY: env.NBTRAIN_PAGE_KEY, WEBHOOK_SECRET: env.NBTRAIN_PAGE_KEY ? undefined : await deps.secrets("WEBHOOK_SECRET") })
    : null;
  const webBase = deps.env.GHE_HOST ? `${deps.env.GHE_PROTOCOL ?? "https"}://${deps.env.GHE_HOST}` : "https://github.com";
  return (event) =>
    reportJobEvent(event, {
      octokitFor: async (installationId) => (await probot.auth(installationId)) as unknown as GitHubClient,
      train: { store, storeUri, readLogTail, ...(secrets ? { secrets } : {}) },
      webBase,
      ...(runPage ? { runPage } : {}),
      ...(deps.clock ? { clock: deps.clock } : {}),
    });
}
