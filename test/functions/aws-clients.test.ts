import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { awsSecretSource } from "../../functions/lib/aws-secret-source.js";
import { lambdaSelfInvoker } from "../../functions/lib/lambda-self-invoker.js";
import { loadAwsSdk } from "../../functions/lib/load-aws-sdk.js";
import { createSecretLoader } from "../../functions/lib/secret-loader.js";

// The real, pinned SDK clients with their `send` mocked: the exact requests the functions make.
const secretsManager = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const lambda = mockClient(LambdaClient);
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecretbody\n-----END RSA PRIVATE KEY-----";

beforeEach(() => {
  secretsManager.reset();
  ssm.reset();
  lambda.reset();
});

describe("lambdaSelfInvoker", () => {
  it("queues an Event invocation of the function with the payload as JSON", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const invoke = lambdaSelfInvoker("nbtrain-webhook");
    await invoke({ source: "nbtrain.webhook.async", id: "d-1" });
    await invoke({ id: "d-2" });
    const inputs = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => ({ ...input, Payload: JSON.parse(Buffer.from(input.Payload as Uint8Array).toString("utf8")) }))).toEqual([
      { FunctionName: "nbtrain-webhook", InvocationType: "Event", Payload: { source: "nbtrain.webhook.async", id: "d-1" } },
      { FunctionName: "nbtrain-webhook", InvocationType: "Event", Payload: { id: "d-2" } },
    ]);
  });

  it("fails when Lambda did not queue the event, naming the permission to check", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    await expect(lambdaSelfInvoker("nbtrain-webhook")({})).rejects.toThrow("Lambda queued no asynchronous invocation of nbtrain-webhook (status 200); check its lambda:InvokeFunction permission.");
  });
});

describe("awsSecretSource", () => {
  it("sends GetSecretValue with the secret id and GetParameter with WithDecryption", async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: "nbtrain/github" }).resolves({ SecretString: "from secrets manager" });
    ssm.on(GetParameterCommand, { Name: "/nbtrain/key", WithDecryption: true }).resolves({ Parameter: { Value: "from ssm" } });
    const source = awsSecretSource();
    expect(await source.getSecretValue("nbtrain/github")).toBe("from secrets manager");
    expect(await source.getParameter("/nbtrain/key")).toBe("from ssm");
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: "nbtrain/github" }]);
    expect(ssm.commandCalls(GetParameterCommand).map((call) => call.args[0].input)).toEqual([{ Name: "/nbtrain/key", WithDecryption: true }]);
  });

  it("refuses a binary secret with a message saying how to store it", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) });
    await expect(awsSecretSource().getSecretValue("nbtrain/bin")).rejects.toThrow("Secret nbtrain/bin has no SecretString; store the value as text, not binary.");
  });
});

describe("secrets read through the real clients", () => {
  const env = {
    APP_ID_SECRET_ID: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nbtrain/github#appId",
    PRIVATE_KEY_SECRET_ID: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nbtrain/github#privateKey",
    WEBHOOK_SECRET_PARAMETER: "/nbtrain/webhook-secret",
  };

  it("fetches each secret once per container, however many fields and invocations read it", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ appId: "4242", privateKey: PEM }) });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: "hook-secret" } });
    const secrets = createSecretLoader(env, awsSecretSource);
    for (let invocation = 0; invocation < 3; invocation += 1) {
      expect(await Promise.all([secrets("APP_ID"), secrets("PRIVATE_KEY"), secrets("WEBHOOK_SECRET")])).toEqual(["4242", PEM, "hook-secret"]);
    }
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nbtrain/github" }]);
    expect(ssm.commandCalls(GetParameterCommand).map((call) => call.args[0].input)).toEqual([{ Name: "/nbtrain/webhook-secret", WithDecryption: true }]);
  });

  it("does not cache a failed fetch: the next read asks again and succeeds", async () => {
    const denied = Object.assign(new Error("User is not authorized to perform secretsmanager:GetSecretValue"), { name: "AccessDeniedException" });
    secretsManager.on(GetSecretValueCommand).rejectsOnce(denied).resolves({ SecretString: JSON.stringify({ appId: "4242", privateKey: PEM }) });
    const secrets = createSecretLoader(env, awsSecretSource);
    await expect(secrets("APP_ID")).rejects.toThrow("not authorized");
    expect(await secrets("APP_ID")).toBe("4242");
    expect(await secrets("PRIVATE_KEY")).toBe(PEM);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it("names the variable to fix, never the secret, when a field cannot be read", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: PEM });
    const secrets = createSecretLoader(env, awsSecretSource);
    const error: Error = await secrets("PRIVATE_KEY").then(
      () => new Error("expected a rejection"),
      (reason: Error) => reason,
    );
    expect(error.message).toBe('PRIVATE_KEY_SECRET_ID asks for field "privateKey", but the secret is not a JSON object; store it as JSON or drop the #privateKey.');
    expect(`${error.message}\n${error.stack ?? ""}`).not.toContain("secretbody");

    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ appId: "", other: "s3cr3t-value" }) });
    const fresh = createSecretLoader(env, awsSecretSource);
    const missing: Error = await fresh("APP_ID").then(
      () => new Error("expected a rejection"),
      (reason: Error) => reason,
    );
    expect(missing.message).toBe('APP_ID_SECRET_ID: the secret has no non-empty string field "appId".');
    expect(missing.message).not.toContain("s3cr3t-value");
  });
});

describe("loadAwsSdk", () => {
  it("names the package and how to get it when its import fails", async () => {
    await expect(loadAwsSdk("@aws-sdk/client-nbtrain-missing", () => import("@aws-sdk/client-nbtrain-missing" as string))).rejects.toThrow(
      /^Cannot load @aws-sdk\/client-nbtrain-missing \(.*\)\. Rebuild the functions with `npm run build:functions`, which bundles it\.$/u,
    );
  });
});
