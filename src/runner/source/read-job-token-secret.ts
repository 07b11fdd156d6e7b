import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** The variable that names the Secrets Manager secret holding the job's token (AWS Batch). */
export const JOB_TOKEN_SECRET_ENV = "NBTRAIN_GITHUB_TOKEN_SECRET";

export interface ReadSecretOptions {
  /** `AWS_REGION` / `AWS_DEFAULT_REGION` of the job's environment when left out. */
  region?: string;
  client?: Pick<SecretsManagerClient, "send">;
}

/**
 * Reads the job's read-only GitHub token from the short-lived secret the bot wrote before
 * SubmitJob (Batch's container overrides cannot carry secrets). The SDK is imported only here,
 * so a job that needs no token never loads it. Throws with what to check; the message never
 * holds the token.
 */
export async function readJobTokenSecret(secretId: string, options: ReadSecretOptions = {}): Promise<string> {
  const sdk = await import("@aws-sdk/client-secrets-manager");
  const client = options.client ?? new sdk.SecretsManagerClient(options.region ? { region: options.region } : {});
  let value: string | undefined;
  try {
    value = (await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    const name = (error as { name?: string }).name ?? "Error";
    const why = name === "ResourceNotFoundException" ? "it no longer exists (the run ended, or its token was already deleted)" : `${name}: ${(error as Error).message}`;
    throw new Error(`cannot read the job's token from the secret ${secretId}: ${why}. The job role needs secretsmanager:GetSecretValue on nbtrain/job-token/*.`);
  }
  if (!value) throw new Error(`the secret ${secretId} holds no token; comment /train again.`);
  return value;
}
