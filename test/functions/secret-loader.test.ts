import { describe, expect, it } from "vitest";
import { createSecretLoader } from "../../functions/lib/secret-loader.js";
import type { SecretSource } from "../../functions/lib/secret-source.js";

const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n";

function stubSource(secrets: Record<string, string>, parameters: Record<string, string> = {}) {
  const calls: string[] = [];
  let failNext = false;
  const source: SecretSource = {
    async getSecretValue(id) {
      calls.push(`secret ${id}`);
      if (failNext) {
        failNext = false;
        throw new Error("ThrottlingException: Rate exceeded");
      }
      const value = secrets[id];
      if (value === undefined) throw new Error(`ResourceNotFoundException: ${id}`);
      return value;
    },
    async getParameter(name) {
      calls.push(`parameter ${name}`);
      const value = parameters[name];
      if (value === undefined) throw new Error(`ParameterNotFound: ${name}`);
      return value;
    },
  };
  return { source, calls, failOnce: () => (failNext = true) };
}

describe("createSecretLoader", () => {
  it("prefers the plain variable, for local runs, and never builds the AWS source for it", async () => {
    const load = createSecretLoader({ WEBHOOK_SECRET: "plain" }, () => {
      throw new Error("the AWS source must not be built");
    });
    expect(await load("WEBHOOK_SECRET")).toBe("plain");
    expect(await load("PRIVATE_KEY")).toBeUndefined();
  });

  it("reads fields of one JSON secret with a single GetSecretValue per container", async () => {
    const stub = stubSource({ "nbtrain/github": JSON.stringify({ privateKey: PEM, webhookSecret: "s3cret" }) });
    const env = { PRIVATE_KEY_SECRET_ID: "nbtrain/github#privateKey", WEBHOOK_SECRET_SECRET_ID: "nbtrain/github#webhookSecret" };
    const load = createSecretLoader(env, () => stub.source);
    expect(await Promise.all([load("PRIVATE_KEY"), load("WEBHOOK_SECRET")])).toEqual([PEM, "s3cret"]);
    expect(await load("PRIVATE_KEY")).toBe(PEM);
    expect(stub.calls).toEqual(["secret nbtrain/github"]);
  });

  it("reads a whole secret when no field is named, and SSM SecureString parameters", async () => {
    const stub = stubSource({ "arn:aws:secretsmanager:us-east-1:123456789012:secret:nbtrain/key-AbCdEf": PEM }, { "/nbtrain/app-id": "12345" });
    const env = { PRIVATE_KEY_SECRET_ID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:nbtrain/key-AbCdEf", APP_ID_PARAMETER: "/nbtrain/app-id" };
    const load = createSecretLoader(env, () => stub.source);
    expect(await load("PRIVATE_KEY")).toBe(PEM);
    expect(await load("APP_ID")).toBe("12345");
    expect(await load("APP_ID")).toBe("12345");
    expect(stub.calls).toEqual(["secret arn:aws:secretsmanager:us-east-1:123456789012:secret:nbtrain/key-AbCdEf", "parameter /nbtrain/app-id"]);
  });

  it("does not cache a failure: the next invocation fetches again", async () => {
    const stub = stubSource({ "nbtrain/github": JSON.stringify({ webhookSecret: "s3cret" }) });
    const load = createSecretLoader({ WEBHOOK_SECRET_SECRET_ID: "nbtrain/github#webhookSecret" }, () => stub.source);
    stub.failOnce();
    await expect(load("WEBHOOK_SECRET")).rejects.toThrow(/ThrottlingException/u);
    expect(await load("WEBHOOK_SECRET")).toBe("s3cret");
    expect(stub.calls).toHaveLength(2);
  });

  it("names the variable, never the value, when a field cannot be read", async () => {
    const stub = stubSource({ plain: PEM, json: JSON.stringify({ other: "x" }) });
    const load = createSecretLoader({ PRIVATE_KEY_SECRET_ID: "plain#privateKey", WEBHOOK_SECRET_SECRET_ID: "json#webhookSecret" }, () => stub.source);
    const notJson = await load("PRIVATE_KEY").catch((error: Error) => error.message);
    expect(notJson).toBe('PRIVATE_KEY_SECRET_ID asks for field "privateKey", but the secret is not a JSON object; store it as JSON or drop the #privateKey.');
    await expect(load("WEBHOOK_SECRET")).rejects.toThrow('WEBHOOK_SECRET_SECRET_ID: the secret has no non-empty string field "webhookSecret".');
  });
});
