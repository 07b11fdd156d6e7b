import { inspect } from "node:util";
import { redactSecrets } from "../util/redact-secrets.js";

/**
 * A job's GitHub credential: an installation access token limited to one repository and to
 * `contents: read`, valid for an hour. The value is reachable only through `reveal()`; printing,
 * logging or serialising the object shows no secret.
 */
export class JobToken {
  readonly #value: string;
  constructor(
    value: string,
    /** ISO 8601, as GitHub returns it. */
    readonly expiresAt: string,
    /** The API root the token belongs to (`https://api.github.com`, or a GHES `/api/v3`). */
    readonly apiUrl: string,
  ) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): Record<string, string> {
    return { token: "[job token]", expiresAt: this.expiresAt, apiUrl: this.apiUrl };
  }
  toString(): string {
    return "[job token]";
  }
  [inspect.custom](): string {
    return `JobToken { expiresAt: ${this.expiresAt} }`;
  }
}

/** GitHub refused the job's token; `reason` is for the check run. */
export class JobTokenError extends Error {
  override readonly name = "JobTokenError";
  constructor(
    readonly reason: string,
    readonly status?: number,
  ) {
    super(`GitHub refused a read-only token for the job: ${reason}`);
  }
}

/** The slice of an Octokit this needs; the auth-app strategy signs this route with the App's JWT. */
export interface TokenOctokit {
  request: (route: string, parameters: Record<string, unknown>) => Promise<{ data: unknown }>;
}

export interface JobTokenTarget {
  installationId: number;
  owner: string;
  repo: string;
  /** The API root, for the job's download (`octokit.request.endpoint.DEFAULTS.baseUrl`). */
  apiUrl: string;
}

interface TokenResponse {
  token?: unknown;
  expires_at?: unknown;
  permissions?: Record<string, unknown>;
  repositories?: Array<{ name?: unknown }>;
}

/**
 * Creates the job's token: `POST /app/installations/{id}/access_tokens` with exactly one
 * repository and `contents: read`, so a job can read its repository's archive and nothing else,
 * and can write nowhere. A refusal (the App lacks Contents read, the repository was removed or
 * is outside the installation, the installation is suspended) throws `JobTokenError` with a
 * reason that says what to do. A grant broader than asked for is refused too.
 */
export async function createJobToken(octokit: TokenOctokit, target: JobTokenTarget): Promise<JobToken> {
  let data: TokenResponse;
  try {
    ({ data } = (await octokit.request("POST /app/installations/{installation_id}/access_tokens", {
      installation_id: target.installationId,
      repositories: [target.repo],
      permissions: { contents: "read" },
    })) as { data: TokenResponse });
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    const said = redactSecrets(String((error as { response?: { data?: { message?: unknown } } }).response?.data?.message ?? (error as Error).message ?? error)).slice(0, 300);
    if (status === 422) {
      throw new JobTokenError(
        `GitHub said "${said}". The nbtrain App needs the Contents: read permission on ${target.owner}/${target.repo}; an owner of the installation must accept the App's permission update, or add the repository to it.`,
        422,
      );
    }
    if (status === 404) {
      throw new JobTokenError(`the installation ${target.installationId} or the repository ${target.owner}/${target.repo} no longer exists (GitHub answered 404). Reinstall the App or check the repository.`, 404);
    }
    if (status === 403) {
      throw new JobTokenError(`GitHub answered 403 ("${said}"): the installation may be suspended. An owner can unsuspend it in the App's settings.`, 403);
    }
    throw new JobTokenError(`the token request failed${typeof status === "number" ? ` with HTTP ${status}` : ""}: ${said}`, typeof status === "number" ? status : undefined);
  }
  if (typeof data.token !== "string" || data.token === "" || typeof data.expires_at !== "string") {
    throw new JobTokenError("GitHub's answer to the token request had no token; try /train again.");
  }
  const granted = Object.entries(data.permissions ?? {}).filter(([name, level]) => !(name === "metadata" && level === "read"));
  const broader = granted.filter(([name, level]) => !(name === "contents" && level === "read"));
  if (broader.length > 0 || !granted.some(([name]) => name === "contents")) {
    throw new JobTokenError(`GitHub granted ${JSON.stringify(data.permissions)} instead of contents: read alone; refusing to hand it to a job.`);
  }
  const names = (data.repositories ?? []).map((repository) => repository.name);
  if (names.length !== 1 || names[0] !== target.repo) {
    throw new JobTokenError(`GitHub scoped the token to ${JSON.stringify(names)} instead of ${target.repo} alone; refusing to hand it to a job.`);
  }
  return new JobToken(data.token, data.expires_at, target.apiUrl);
}
