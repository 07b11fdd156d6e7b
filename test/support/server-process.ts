import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { repoRoot } from "./repo-root.js";
import { freePort, waitFor } from "./wait-for.js";

/** One real server process (`npm start`'s entry) on loopback, with its output kept for failures. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `npm start` (dist/src/app/start-server.js, built by the vitest global setup) in its own
 * process group with `env` on top of a bare PATH/HOME, and waits until it listens.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  let output = "";
  const child = spawn("npm", ["start", "--silent"], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  await waitFor("the server to listen", () => /Listening on/u.test(output) || child.exitCode !== null, {
    timeoutMs: 60_000,
    intervalMs: 50,
    context: () => output.slice(-4000),
  });
  if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.pid === undefined) return resolve();
        child.once("exit", () => resolve());
        process.kill(-child.pid, "SIGTERM");
      }),
  };
}

/** POSTs one signed webhook delivery to a server, as GitHub does. */
export async function deliverWebhook(url: string, secret: string, name: string, id: string, payload: unknown): Promise<Response> {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return fetch(`${url}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": name, "x-github-delivery": id, "x-hub-signature-256": signature },
    body,
  });
}
