import { run } from "probot";
import { createApp } from "./create-app.js";
import { loadDefaultAppDeps } from "./default-app-deps.js";

// `npm start`: Probot's Node server. Do not add logic here; it belongs in createApp.
// With APP_ID and PRIVATE_KEY unset, Probot serves its manifest flow and registers the app from app.yml.
// No Octokit is passed, so Probot's default one, with the retry and throttling plugins, is used.
const deps = await loadDefaultAppDeps();
await run(createApp(deps));
// After run(): the app has subscribed to job events, so recovered runs get reported.
await deps.train?.start?.();
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void (deps.train?.close?.() ?? Promise.resolve()).finally(() => process.exit(0));
  });
}
