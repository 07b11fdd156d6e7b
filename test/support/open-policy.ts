import type { DeploymentPolicy } from "../../src/config/deployment-policy.js";

/**
 * A deployment policy that admits everything (any queue and job definition, the given store,
 * generous caps): for tests of other behaviour than the allow-lists, which test/config and
 * test/e2e/operator-policy.test.ts cover.
 */
export function openPolicy(storeUri: string): DeploymentPolicy {
  return { queues: ["*", "arn:*"], jobDefinitions: ["*", "arn:*"], stores: [storeUri], maxGpus: 64, maxMemoryMiB: 1024 * 1024, maxTimeoutSeconds: 30 * 86400 };
}
