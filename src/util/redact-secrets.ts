/**
 * Removes anything shaped like a credential from text bound for a log line or a check run:
 * GitHub tokens (ghs_, ghp_, gho_, ghu_, ghr_, github_pat_), bearer/token headers, JWTs and
 * PEM blocks. Error messages can echo a request; this keeps them safe to show.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/gu, "[REDACTED PRIVATE KEY]")
    .replace(/\b(gh[pousr]_[A-Za-z0-9_]{8,}|github_pat_[A-Za-z0-9_]{8,}|v1\.[0-9a-f]{40})\b/gu, "[REDACTED]")
    .replace(/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/gu, "[REDACTED]")
    .replace(/\b(bearer|token)\s+(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{8,}/giu, "$1 [REDACTED]");
}
