// The webhook Lambda (API Gateway HTTP API or Function URL). Do not add logic here: it lives in
// functions/lib/create-webhook-handler.ts. The app is the same one `npm start` serves; it is
// imported on the first delivery to handle, so acknowledging one never loads it.
import { awsSecretSource } from "./lib/aws-secret-source.js";
import { createWebhookHandler } from "./lib/create-webhook-handler.js";
import { lambdaSelfInvoker } from "./lib/lambda-self-invoker.js";
import { loadWebhookRuntime } from "./lib/load-webhook-runtime.js";
import { createSecretLoader } from "./lib/secret-loader.js";

const secrets = createSecretLoader(process.env, awsSecretSource);

export const handler = createWebhookHandler({
  loadRuntime: () =>
    loadWebhookRuntime({
      env: process.env,
      secrets,
      app: async (env) => {
        const [{ createApp }, { loadDefaultAppDeps }] = await Promise.all([import("../src/app/create-app.js"), import("../src/app/default-app-deps.js")]);
        return createApp(await loadDefaultAppDeps(env));
      },
      invoker: lambdaSelfInvoker,
    }),
});

// Lambda's init phase reads the secrets and builds Probot (a GET does exactly that). A failure is
// answered with a 500 and retried on the next request.
await handler({ requestContext: { http: { method: "GET" } }, rawPath: "/", headers: {} });
