import { redactSecrets } from "../util/redact-secrets.js";

/**
 * A one-line, token-free account of an error for the check run and the log: the HTTP status and
 * request line when GitHub answered with an error, else the message.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as { status?: unknown }).status;
    const request = (error as { request?: { method?: unknown; url?: unknown } }).request;
    const where =
      typeof status === "number" && request && typeof request.method === "string" && typeof request.url === "string"
        ? `GitHub answered ${status} to ${request.method} ${stripQuery(request.url)}: `
        : "";
    return redactSecrets(`${where}${error.message}`).slice(0, 2_000);
  }
  return redactSecrets(String(error)).slice(0, 2_000);
}

function stripQuery(url: string): string {
  const at = url.indexOf("?");
  return at === -1 ? url : url.slice(0, at);
}
