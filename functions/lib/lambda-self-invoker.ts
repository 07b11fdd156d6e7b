import { loadAwsSdk } from "./load-aws-sdk.js";

/** Sends an event to a Lambda function without waiting for it to run. */
export type AsyncInvoker = (payload: unknown) => Promise<void>;

interface LambdaModule {
  LambdaClient: new (config: object) => { send(command: unknown): Promise<{ StatusCode?: number; FunctionError?: string }> };
  InvokeCommand: new (input: { FunctionName: string; InvocationType: "Event"; Payload: Uint8Array }) => unknown;
}

/**
 * `lambda:Invoke` with InvocationType Event: Lambda queues the event and answers 202 at once.
 * The client package loads on the first call, so a container that never defers work never loads it.
 */
export function lambdaSelfInvoker(functionName: string, load: <T>(packageName: string) => T = loadAwsSdk): AsyncInvoker {
  let client: InstanceType<LambdaModule["LambdaClient"]> | undefined;
  return async (payload) => {
    const sdk = load<LambdaModule>("@aws-sdk/client-lambda");
    client ??= new sdk.LambdaClient({});
    const result = await client.send(new sdk.InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(payload), "utf8") }));
    if (result.StatusCode !== 202) throw new Error(`Lambda queued no asynchronous invocation of ${functionName} (status ${String(result.StatusCode)}); check its lambda:InvokeFunction permission.`);
  };
}
