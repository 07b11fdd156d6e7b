import type { Context } from "probot";

/**
 * True when a bot caused the event (ours included), logged at debug level. The bot's own check
 * runs and comments must never trigger another check.
 */
export function isBotSender(context: Context): boolean {
  const sender = (context.payload as { sender?: { type?: string; login?: string } }).sender;
  if (sender?.type !== "Bot") return false;
  context.log.debug(`ignoring ${context.name} from bot ${sender.login ?? "(unknown)"}`);
  return true;
}
