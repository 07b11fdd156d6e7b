import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { freePort, waitFor } from "../support/wait-for.js";

const root = path.resolve(import.meta.dirname, "../..");

/** The real server (`npm start`'s entry) as a child process, with the test's environment. */
export interface TrainServer {
  url: string;
  output: () => string;
  /** Posts a signed webhook delivery. */
  deliver: (event: string, id: string, payload: unknown) => Promise<Response>;
  /** SIGTERM; the server must exit on its own. */
  stop: () => Promise<void>;
}

let privateKey = "";

export async function startTrainServer(options: { secret: string; githubHost: string; dataDir: string; env?: Record<string, string> }): Promise<TrainServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  privateKey ||= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["dist/src/app/start-server.js"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      HOST: "127.0.0.1",
      PORT: String(port),
      APP_ID: "4242",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: options.secret,
      GHE_HOST: options.githubHost,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info",
      NODE_ENV: "production",
      NBTRAIN_DATA_DIR: options.dataDir,
      NBTRAIN_PYTHON: "/usr/bin/python3",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  await waitFor("the server to listen", () => /Listening on/u.test(output) || child.exitCode !== null, { timeoutMs: 60_000, intervalMs: 100, context: () => output });
  if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`);
  return {
    url,
    output: () => output,
    deliver: (event, id, payload) => {
      const text = JSON.stringify(payload);
      return fetch(`${url}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": event,
          "x-github-delivery": id,
          "x-hub-signature-256": `sha256=${createHmac("sha256", options.secret).update(text).digest("hex")}`,
        },
        body: text,
      });
    },
    stop: async () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      process.kill(child.pid, "SIGTERM");
      const late = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), 15_000).unref());
      if ((await Promise.race([exited, late])) === "late") {
        process.kill(-child.pid, "SIGKILL");
        throw new Error(`the server did not exit within 15 s of SIGTERM; output:\n${output.slice(-3000)}`);
      }
    },
  };
}

/** The `/train` comment fixture with this id and body. */
export function trainComment(id: number, body: string): Record<string, unknown> {
  const payload = JSON.parse(readFileSync(path.join(root, "test/fixtures/train/issue_comment.created.json"), "utf8"));
  payload.comment.id = id;
  payload.comment.body = body;
  return payload;
}
