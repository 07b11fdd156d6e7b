// The cold-start baseline: the least a Probot 14 Lambda handler can be, with one app.on("push").
// Bundled exactly like the nbtrain functions by bench/coldstart.ts.
import { Probot } from "probot";

const probot = new Probot({ appId: Number(process.env.APP_ID), privateKey: process.env.PRIVATE_KEY, secret: process.env.WEBHOOK_SECRET });
await probot.load((app) => {
  app.on("push", async (context) => {
    context.log.info("push");
  });
});

export async function handler(event: { headers: Record<string, string>; body: string }): Promise<{ statusCode: number; body: string }> {
  const h = event.headers;
  await probot.webhooks.verifyAndReceive({ id: h["x-github-delivery"]!, name: h["x-github-event"] as "push", signature: h["x-hub-signature-256"]!, payload: event.body });
  return { statusCode: 200, body: "{}" };
}
