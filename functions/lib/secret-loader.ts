import type { SecretSource } from "./secret-source.js";

/** Reads one named setting, e.g. `PRIVATE_KEY`; undefined when nothing configures it. */
export type SecretLoader = (name: string) => Promise<string | undefined>;

/**
 * Resolves a setting `NAME` from, in order:
 * - `NAME` itself (local runs and tests);
 * - `NAME_SECRET_ID`: a Secrets Manager secret id or ARN, with `#field` to pick one field of a JSON secret;
 * - `NAME_PARAMETER`: an SSM SecureString parameter.
 *
 * Values are cached for the life of the container (one fetch per secret, however many fields
 * are read from it). A failed fetch is not cached, so the next invocation tries again.
 */
export function createSecretLoader(env: NodeJS.ProcessEnv, source: () => SecretSource): SecretLoader {
  const cache = new Map<string, Promise<string>>();
  let resolved: SecretSource | undefined;
  const get = (key: string, fetch: (from: SecretSource) => Promise<string>): Promise<string> => {
    let value = cache.get(key);
    if (!value) {
      value = fetch((resolved ??= source()));
      cache.set(key, value);
      value.catch(() => cache.delete(key));
    }
    return value;
  };

  return async (name) => {
    const plain = env[name];
    if (plain !== undefined && plain !== "") return plain;
    const secretRef = env[`${name}_SECRET_ID`];
    if (secretRef) {
      const hash = secretRef.lastIndexOf("#");
      const secretId = hash === -1 ? secretRef : secretRef.slice(0, hash);
      const field = hash === -1 ? undefined : secretRef.slice(hash + 1);
      const text = await get(`secret:${secretId}`, (from) => from.getSecretValue(secretId));
      return field === undefined ? text : readField(text, field, `${name}_SECRET_ID`);
    }
    const parameter = env[`${name}_PARAMETER`];
    if (parameter) return get(`parameter:${parameter}`, (from) => from.getParameter(parameter));
    return undefined;
  };
}

function readField(text: string, field: string, variable: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Never quote the secret: the message names the variable to fix.
    throw new Error(`${variable} asks for field "${field}", but the secret is not a JSON object; store it as JSON or drop the #${field}.`);
  }
  const value = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>)[field] : undefined;
  if (typeof value !== "string" || value === "") throw new Error(`${variable}: the secret has no non-empty string field "${field}".`);
  return value;
}
