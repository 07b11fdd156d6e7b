/** Where deployed secrets live. Tests pass a stub; production uses `awsSecretSource()`. */
export interface SecretSource {
  /** The `SecretString` of a Secrets Manager secret (id or ARN). */
  getSecretValue(secretId: string): Promise<string>;
  /** The decrypted value of an SSM Parameter Store parameter (name or ARN). */
  getParameter(name: string): Promise<string>;
}
