// The Batch job events Lambda (EventBridge "Batch Job State Change"). Do not add logic here: it
// lives in functions/lib/create-batch-events-handler.ts and reports through the same
// reportJobEvent as the local backend.
import { awsSecretSource } from "./lib/aws-secret-source.js";
import { createBatchEventsHandler } from "./lib/create-batch-events-handler.js";
import { loadJobReporter } from "./lib/load-job-reporter.js";
import { createSecretLoader } from "./lib/secret-loader.js";

const secrets = createSecretLoader(process.env, awsSecretSource);

export const handler = createBatchEventsHandler({ loadReporter: () => loadJobReporter({ env: process.env, secrets }) });
