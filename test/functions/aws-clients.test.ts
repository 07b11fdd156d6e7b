import { describe, expect, it } from "vitest";
import { awsSecretSource } from "../../functions/lib/aws-secret-source.js";
import { lambdaSelfInvoker } from "../../functions/lib/lambda-self-invoker.js";
import { loadAwsSdk } from "../../functions/lib/load-aws-sdk.js";

/** A stand-in for an AWS SDK v3 client package: records each command's input and answers `reply`. */
function fakeSdk(client: string, command: string, reply: (input: any) => unknown) {
  const sent: Array<{ command: string; input: any }> = [];
  let clients = 0;
  const module = {
    [client]: class {
      constructor() {
        clients += 1;
      }
      async send(cmd: { name: string; input: unknown }) {
        sent.push({ command: cmd.name, input: cmd.input });
        return reply(cmd.input);
      }
    },
    [command]: class {
      readonly name = command;
      constructor(readonly input: unknown) {}
    },
  };
  const loaded: string[] = [];
  const load = <T,>(name: string): T => {
    loaded.push(name);
    return module as T;
  };
  return { load, sent, loaded, clients: () => clients };
}

describe("lambdaSelfInvoker", () => {
  it("queues an Event invocation of the function with the payload as JSON, reusing one client", async () => {
    const sdk = fakeSdk("LambdaClient", "InvokeCommand", () => ({ StatusCode: 202 }));
    const invoke = lambdaSelfInvoker("nbtrain-webhook", sdk.load);
    await invoke({ source: "nbtrain.webhook.async", id: "d-1" });
    await invoke({ id: "d-2" });
    expect(sdk.loaded).toEqual(["@aws-sdk/client-lambda", "@aws-sdk/client-lambda"]);
    expect(sdk.clients()).toBe(1);
    expect(sdk.sent.map(({ input }) => ({ ...input, Payload: JSON.parse(Buffer.from(input.Payload).toString("utf8")) }))).toEqual([
      { FunctionName: "nbtrain-webhook", InvocationType: "Event", Payload: { source: "nbtrain.webhook.async", id: "d-1" } },
      { FunctionName: "nbtrain-webhook", InvocationType: "Event", Payload: { id: "d-2" } },
    ]);
  });

  it("fails when Lambda did not queue the event, naming the permission to check", async () => {
    const sdk = fakeSdk("LambdaClient", "InvokeCommand", () => ({ StatusCode: 200 }));
    await expect(lambdaSelfInvoker("nbtrain-webhook", sdk.load)({})).rejects.toThrow("Lambda queued no asynchronous invocation of nbtrain-webhook (status 200); check its lambda:InvokeFunction permission.");
  });
});

describe("awsSecretSource", () => {
  it("reads a SecretString from Secrets Manager and a decrypted SSM parameter, loading each client on first use", async () => {
    const secrets = fakeSdk("SecretsManagerClient", "GetSecretValueCommand", (input) => ({ SecretString: `value of ${input.SecretId}` }));
    const source = awsSecretSource(secrets.load);
    expect(await source.getSecretValue("nbtrain/github")).toBe("value of nbtrain/github");
    expect(secrets.sent).toEqual([{ command: "GetSecretValueCommand", input: { SecretId: "nbtrain/github" } }]);

    const ssm = fakeSdk("SSMClient", "GetParameterCommand", (input) => ({ Parameter: { Value: `value of ${input.Name}` } }));
    expect(await awsSecretSource(ssm.load).getParameter("/nbtrain/key")).toBe("value of /nbtrain/key");
    expect(ssm.sent).toEqual([{ command: "GetParameterCommand", input: { Name: "/nbtrain/key", WithDecryption: true } }]);
    expect(ssm.loaded).toEqual(["@aws-sdk/client-ssm"]);
  });

  it("refuses a binary secret with a message saying how to store it", async () => {
    const secrets = fakeSdk("SecretsManagerClient", "GetSecretValueCommand", () => ({ SecretBinary: new Uint8Array([1]) }));
    await expect(awsSecretSource(secrets.load).getSecretValue("nbtrain/bin")).rejects.toThrow("Secret nbtrain/bin has no SecretString; store the value as text, not binary.");
  });
});

describe("loadAwsSdk", () => {
  it("names the package and where it comes from when it cannot be loaded", () => {
    expect(() => loadAwsSdk("@aws-sdk/client-nbtrain-missing")).toThrow(/^Cannot load @aws-sdk\/client-nbtrain-missing \(.*\)\. Run on a Lambda Node\.js runtime, which provides it, or install it next to the bundle\.$/u);
  });
});
