import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { JobSecrets } from "./job-secrets.js";

/** The secret that holds run `runId`'s token; the IAM policies grant `nbtrain/job-token/*` only. */
export function jobTokenSecretName(runId: string): string {
  return `nbtrain/job-token/${runId}`;
}

export interface AwsJobTokenRemoverOptions {
  region: string;
  /** An SDK client to use instead of one made on first use. */
  client?: Pick<SecretsManagerClient, "send">;
}

/**
 * Deletes a run's token secret, without recovery, and nothing else: the Batch events function
 * ends runs but writes no token, so it imports this alone and its role needs only DeleteSecret
 * (the IAM test derives each function's actions from the commands its code can send).
 */
export class AwsJobTokenRemover implements Pick<JobSecrets, "remove"> {
  private client: Promise<{ sdk: typeof import("@aws-sdk/client-secrets-manager"); client: Pick<SecretsManagerClient, "send"> }> | undefined;

  constructor(private readonly options: AwsJobTokenRemoverOptions) {}

  async remove(runId: string): Promise<void> {
    this.client ??= import("@aws-sdk/client-secrets-manager").then((sdk) => ({ sdk, client: this.options.client ?? new sdk.SecretsManagerClient({ region: this.options.region }) }));
    const { sdk, client } = await this.client;
    try {
      await client.send(new sdk.DeleteSecretCommand({ SecretId: jobTokenSecretName(runId), ForceDeleteWithoutRecovery: true }));
    } catch (error) {
      if ((error as { name?: string }).name === "ResourceNotFoundException") return;
      const name = (error as { name?: string }).name ?? "Error";
      throw new Error(`AWS Secrets Manager DeleteSecret ${jobTokenSecretName(runId)} failed (${name}: ${(error as Error).message}). The function's role needs secretsmanager:DeleteSecret on nbtrain/job-token/*.`);
    }
  }
}
