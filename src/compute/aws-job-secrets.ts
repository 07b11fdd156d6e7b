import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AwsJobTokenRemover, jobTokenSecretName } from "./aws-job-token-remover.js";
import { JOB_API_URL_VARIABLE, JOB_TOKEN_SECRET_VARIABLE, type JobSecrets, type JobToken } from "./job-secrets.js";

type SecretsSdk = typeof import("@aws-sdk/client-secrets-manager");

export { jobTokenSecretName };

export interface AwsJobSecretsOptions {
  region: string;
  /** An SDK client to use instead of one made on first use. */
  client?: Pick<SecretsManagerClient, "send">;
}

/**
 * The AWS Batch backend's job secrets. Batch's container overrides cannot carry secrets, so the
 * token goes into a short-lived Secrets Manager secret, `nbtrain/job-token/<run-id>`, written
 * just before SubmitJob. The job is told only the secret's name and reads it through its job
 * role. The secret is deleted, without recovery, when the run ends or its submit fails. The SDK
 * is imported on first use, so a webhook that trains nothing does not load it.
 */
export class AwsJobSecrets implements JobSecrets {
  private sdk: Promise<{ sdk: SecretsSdk; client: Pick<SecretsManagerClient, "send"> }> | undefined;
  /** Runs whose secret this process wrote, with their API root: what `environmentFor` tells the job. */
  private readonly written = new Map<string, string>();
  private readonly remover: AwsJobTokenRemover;

  constructor(private readonly options: AwsJobSecretsOptions) {
    this.remover = new AwsJobTokenRemover(options);
  }

  async put(runId: string, token: JobToken): Promise<void> {
    const { sdk, client } = await this.load();
    const name = jobTokenSecretName(runId);
    try {
      await client.send(
        new sdk.CreateSecretCommand({
          Name: name,
          Description: `nbtrain: read-only GitHub token of run ${runId}; deleted when the run ends`,
          SecretString: token.reveal(),
          Tags: [
            { Key: "nbtrain:run-id", Value: runId },
            { Key: "nbtrain:expires-at", Value: token.expiresAt },
          ],
        }),
      );
    } catch (error) {
      // A redelivered command whose first delivery died after writing the secret: replace its value.
      if ((error as { name?: string }).name !== "ResourceExistsException") throw secretsError(`CreateSecret ${name}`, error);
      try {
        await client.send(new sdk.PutSecretValueCommand({ SecretId: name, SecretString: token.reveal() }));
      } catch (again) {
        throw secretsError(`PutSecretValue ${name}`, again);
      }
    }
    this.written.set(runId, token.apiUrl);
  }

  async remove(runId: string): Promise<void> {
    this.written.delete(runId);
    await this.remover.remove(runId);
  }

  /** What the job's environment names: the secret (never its value) and the API root, once `put` wrote it. */
  environmentFor(runId: string): Record<string, string> {
    const apiUrl = this.written.get(runId);
    return apiUrl === undefined ? {} : { [JOB_TOKEN_SECRET_VARIABLE]: jobTokenSecretName(runId), [JOB_API_URL_VARIABLE]: apiUrl };
  }

  private load(): Promise<{ sdk: SecretsSdk; client: Pick<SecretsManagerClient, "send"> }> {
    this.sdk ??= import("@aws-sdk/client-secrets-manager").then((sdk) => ({
      sdk,
      client: this.options.client ?? new sdk.SecretsManagerClient({ region: this.options.region }),
    }));
    return this.sdk;
  }
}

function secretsError(what: string, error: unknown): Error {
  const name = (error as { name?: string }).name ?? "Error";
  return new Error(
    `AWS Secrets Manager ${what} failed (${name}: ${(error as Error).message}). The webhook function's role needs secretsmanager:CreateSecret, PutSecretValue, DeleteSecret and TagResource on nbtrain/job-token/*.`,
  );
}
