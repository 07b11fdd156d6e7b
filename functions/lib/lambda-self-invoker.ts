import type { LambdaClient } from "@aws-sdk/client-lambda";
import { loadAwsSdk } from "./load-aws-sdk.js";

/** Sends an event to a Lambda function without waiting for it to run. */
export type AsyncInvoker = (payload: unknown) => Promise<void>;

/**
 * `lambda:Invoke` with InvocationType Event: Lambda queues the event and answers 202 at once.
 * The pinned client package is imported on the first call (a lazy chunk), so a container that
 * never defers work never loads it.
 */
export function lambdaSelfInvoker(functionName: string): AsyncInvoker {
  let client: LambdaClient | undefined;
  return async (payload) => {
    const sdk = await loadAwsSdk("@aws-sdk/client-lambda", () => import("@aws-sdk/client-lambda"));
    client ??= new sdk.LambdaClient({});
    const result = await client.send(new sdk.InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(payload), "utf8") }));
    if (result.StatusCode !== 202) throw new Error(`Lambda queued no asynchronous invocation of ${functionName} (status ${String(result.StatusCode)}); check its lambda:InvokeFunction permission.`);
  };
}
