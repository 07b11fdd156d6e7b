import type { GetSecretValueCommandOutput, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { SecretSource } from "./secret-source.js";
import { loadAwsSdk } from "./load-aws-sdk.js";

/**
 * Secrets Manager and SSM Parameter Store through the pinned AWS SDK v3 clients. Each client
 * package is imported the first time it is needed (a lazy chunk in the bundle), so a container
 * that reads no SSM parameter never loads the SSM client. Caching lives in `createSecretLoader`.
 */
export function awsSecretSource(): SecretSource {
  let secrets: SecretsManagerClient | undefined;
  let ssm: SSMClient | undefined;
  return {
    async getSecretValue(secretId) {
      const sdk = await loadAwsSdk("@aws-sdk/client-secrets-manager", () => import("@aws-sdk/client-secrets-manager"));
      secrets ??= new sdk.SecretsManagerClient({});
      const output: GetSecretValueCommandOutput = await secrets.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
      if (output.SecretString === undefined) throw new Error(`Secret ${secretId} has no SecretString; store the value as text, not binary.`);
      return output.SecretString;
    },
    async getParameter(name) {
      const sdk = await loadAwsSdk("@aws-sdk/client-ssm", () => import("@aws-sdk/client-ssm"));
      ssm ??= new sdk.SSMClient({});
      const { Parameter } = await ssm.send(new sdk.GetParameterCommand({ Name: name, WithDecryption: true }));
      if (Parameter?.Value === undefined) throw new Error(`SSM parameter ${name} has no value.`);
      return Parameter.Value;
    },
  };
}
