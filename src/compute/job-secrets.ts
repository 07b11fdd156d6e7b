/** The variable the runner reads the token from; it removes it before starting pip or the kernel. */
export const JOB_TOKEN_VARIABLE = "NBTRAIN_GITHUB_TOKEN";
/** Where the runner downloads the archive from (GitHub Enterprise Server has its own API root). */
export const JOB_API_URL_VARIABLE = "NBTRAIN_GITHUB_API_URL";
/** On AWS Batch: the name of the Secrets Manager secret that holds the token (never the token itself). */
export const JOB_TOKEN_SECRET_VARIABLE = "NBTRAIN_GITHUB_TOKEN_SECRET";

/** A job token as the backend sees it (the github layer's `JobToken` has this shape). */
export interface JobToken {
  reveal(): string;
  /** ISO 8601. */
  expiresAt: string;
  apiUrl: string;
}

/**
 * How a job's short-lived GitHub token reaches it: through the backend's secrets mechanism, never
 * through the job's description, submit overrides, logs or the store.
 */
export interface JobSecrets {
  /** Keeps the token for the run's attempts until it expires. */
  put(runId: string, token: JobToken): Promise<void>;
  /** Forgets the run's token (the run ended, or its submit failed); a run with none is fine. */
  remove(runId: string): Promise<void>;
}

/**
 * The local backend's secrets: in this server's memory only, handed to the runner as process
 * environment when an attempt starts. A restart forgets them; later attempts then restore the
 * source from the store, as attempts after the token's hour do.
 */
export class MemoryJobSecrets implements JobSecrets {
  private readonly tokens = new Map<string, JobToken>();

  constructor(
    private readonly clock: () => Date = () => new Date(),
    /** A token this close to expiry is not handed out: the download might outlast it. */
    private readonly marginMs = 5 * 60_000,
  ) {}

  async put(runId: string, token: JobToken): Promise<void> {
    this.tokens.set(runId, token);
  }

  /** The environment an attempt of `runId` starts with: the token while it is valid, else nothing. */
  environmentFor(runId: string): Record<string, string> {
    const token = this.tokens.get(runId);
    if (!token) return {};
    if (Date.parse(token.expiresAt) - this.marginMs <= this.clock().getTime()) {
      this.tokens.delete(runId);
      return {};
    }
    return { [JOB_TOKEN_VARIABLE]: token.reveal(), [JOB_API_URL_VARIABLE]: token.apiUrl };
  }

  /** Forgets a run's token (its run has ended). */
  forget(runId: string): void {
    this.tokens.delete(runId);
  }

  async remove(runId: string): Promise<void> {
    this.forget(runId);
  }
}
