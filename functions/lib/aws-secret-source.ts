import type { SecretSource } from "./secret-source.js";
import { loadAwsSdk } from "./load-aws-sdk.js";

interface SecretsManagerModule {
  SecretsManagerClient: new (config: object) => { send(command: unknown): Promise<{ SecretString?: string }> };
  GetSecretValueCommand: new (input: { SecretId: string }) => unknown;
}

interface SsmModule {
  SSMClient: new (config: object) => { send(command: unknown): Promise<{ Parameter?: { Value?: string } }> };
  GetParameterCommand: new (input: { Name: string; WithDecryption: boolean }) => unknown;
}

/**
 * Secrets Manager and SSM Parameter Store through the AWS SDK v3. Each client package is loaded
 * the first time it is needed, so a container that reads no SSM parameter never loads the SSM client.
 */
export function awsSecretSource(load: <T>(packageName: string) => T = loadAwsSdk): SecretSource {
  let secrets: InstanceType<SecretsManagerModule["SecretsManagerClient"]> | undefined;
  let ssm: InstanceType<SsmModule["SSMClient"]> | undefined;
  return {
    async getSecretValue(secretId) {
      const sdk = load<SecretsManagerModule>("@aws-sdk/client-secrets-manager");
      secrets ??= new sdk.SecretsManagerClient({});
      const { SecretString } = await secrets.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
      if (SecretString === undefined) throw new Error(`Secret ${secretId} has no SecretString; store the value as text, not binary.`);
      return SecretString;
    },
    async getParameter(name) {
      const sdk = load<SsmModule>("@aws-sdk/client-ssm");
      ssm ??= new sdk.SSMClient({});
      const { Parameter } = await ssm.send(new sdk.GetParameterCommand({ Name: name, WithDecryption: true }));
      if (Parameter?.Value === undefined) throw new Error(`SSM parameter ${name} has no value.`);
      return Parameter.Value;
    },
  };
}
