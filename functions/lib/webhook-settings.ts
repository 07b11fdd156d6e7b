const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/** The webhook function's non-secret settings, read from its environment. */
export interface WebhookSettings {
  /** "async" acknowledges first and finishes in an asynchronous self-invocation; "inline" answers when done. */
  mode: "async" | "inline";
  maxAsyncBytes: number;
  /** This function's own name, the target of the asynchronous self-invocation. */
  functionName?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** GitHub Enterprise Server's API root, when GHE_HOST is set. */
  baseUrl?: string;
}

/**
 * Validates the environment. Async is the default on Lambda (where the function knows its own
 * name) and inline elsewhere. Throws a message naming the variable to fix. Hand-checked, not
 * zod: zod's core would more than double the webhook's import-time code.
 */
export function readWebhookSettings(env: NodeJS.ProcessEnv): WebhookSettings {
  const pick = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = env[name] || fallback;
    if (!(allowed as readonly string[]).includes(value)) throw new Error(`Invalid environment: ${name} must be one of ${allowed.join(", ")}, not "${value}".`);
    return value as T;
  };
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME || undefined;
  const mode = pick("NBTRAIN_WEBHOOK_MODE", ["async", "inline"], functionName ? "async" : "inline");
  if (mode === "async" && !functionName) throw new Error("NBTRAIN_WEBHOOK_MODE=async needs AWS_LAMBDA_FUNCTION_NAME (Lambda sets it); use inline outside Lambda.");
  const rawMax = env.NBTRAIN_ASYNC_MAX_BYTES || String(256 * 1024);
  const maxAsyncBytes = Number(rawMax);
  if (!/^\d+$/u.test(rawMax) || maxAsyncBytes <= 0) throw new Error(`Invalid environment: NBTRAIN_ASYNC_MAX_BYTES must be a positive whole number of bytes, not "${rawMax}".`);
  const protocol = pick("GHE_PROTOCOL", ["http", "https"], "https");
  return {
    mode,
    maxAsyncBytes,
    ...(functionName ? { functionName } : {}),
    logLevel: pick("LOG_LEVEL", LOG_LEVELS, "info"),
    ...(env.GHE_HOST ? { baseUrl: `${protocol}://${env.GHE_HOST}/api/v3` } : {}),
  };
}
