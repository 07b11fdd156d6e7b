import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/repo-root.js";
import { checkIamGrants } from "./iam/check-iam-grants.js";
import { deriveAwsActions, type DerivedActions } from "./iam/derive-aws-actions.js";

const templateText = readFileSync(path.join(repoRoot, "templates/sam.yaml"), "utf8");

/** Each principal of the template whose rights come from nbtrain's code, and the entry of that code. */
const PRINCIPALS = {
  WebhookFunction: "functions/webhook.ts",
  BatchEventsFunction: "functions/batch-events.ts",
  // The runner's job role: the Batch container runs `nbtrain-runner` (templates/runner.Dockerfile).
  RunnerJobRole: "src/runner/job-entry.ts",
} as const;

/** Replaces exactly one occurrence of `from` (a planted fault must land where it is meant to). */
function plant(text: string, from: string | RegExp, to: string): string {
  const count = typeof from === "string" ? text.split(from).length - 1 : [...text.matchAll(new RegExp(from.source, `${from.flags.replace("g", "")}g`))].length;
  if (count !== 1) throw new Error(`the fault must be planted exactly once; found ${count} places for ${String(from)}`);
  return text.replace(from, to);
}

describe("templates/sam.yaml grants each function exactly what its code calls", () => {
  const expected: Record<string, DerivedActions> = {};
  beforeAll(async () => {
    for (const [principal, entry] of Object.entries(PRINCIPALS)) expected[principal] = await deriveAwsActions(repoRoot, entry);
  }, 120_000);

  it("derives the calls from the code, following the import graph into lazy chunks", () => {
    // Spot checks that the derivation sees what it must: a webhook-only lazy path, a helper package's
    // commands, and the runner's token read.
    expect(expected.WebhookFunction!.get("batch:SubmitJob")).toEqual(["src/compute/aws-batch-compute.ts (SubmitJobCommand)"]);
    expect(expected.WebhookFunction!.get("logs:GetLogEvents")).toEqual(["src/compute/read-cloudwatch-log-tail.ts (GetLogEventsCommand)"]);
    expect(expected.RunnerJobRole!.get("s3:PutObject")).toContain("node_modules/@aws-sdk/lib-storage/dist-es/Upload.js (UploadPartCommand)");
    expect(expected.RunnerJobRole!.has("batch:SubmitJob")).toBe(false);
    // The Batch events function submits a --budget chain's next segment, with its own job token.
    expect(expected.BatchEventsFunction!.get("batch:SubmitJob")).toEqual(["src/compute/aws-batch-compute.ts (SubmitJobCommand)"]);
    expect(expected.BatchEventsFunction!.has("secretsmanager:CreateSecret")).toBe(true);
    expect(expected.BatchEventsFunction!.has("secretsmanager:DeleteSecret")).toBe(true);
  });

  it("finds no missing grant, no unexplained extra grant and no unscoped resource", () => {
    expect(checkIamGrants(templateText, expected)).toEqual([]);
  });

  it("fails on a planted missing grant: the webhook without logs:GetLogEvents", () => {
    const planted = plant(templateText, /\n            - Sid: ReadJobLogStreams\n(?:              .*\n)+?(?=            - Sid: )/u, "\n");
    expect(planted).not.toBe(templateText);
    const problems = checkIamGrants(planted, expected);
    expect(problems).toEqual([expect.stringMatching(/^WebhookFunction: missing grant logs:GetLogEvents, which src\/compute\/read-cloudwatch-log-tail\.ts/u)]);
  });

  it("fails on a planted '*' resource", () => {
    const planted = plant(templateText, 'Resource: !Sub "${CheckpointBucket.Arn}/${CheckpointPrefix}/*"\n            - Sid: ReadJobLogStreams', 'Resource: "*"\n            - Sid: ReadJobLogStreams');
    expect(checkIamGrants(planted, expected)).toEqual(['WebhookFunction/StageAndReadRuns: s3:GetObject, s3:PutObject, s3:DeleteObject, s3:AbortMultipartUpload on Resource "*"; scope it to the template\'s resources']);
  });

  it("fails on an extra grant (Batch events allowed to search logs) unless a comment in the template says why it is there", () => {
    const extra = plant(templateText, "            - Sid: ReadJobLogStreams\n              Effect: Allow\n              Action: logs:GetLogEvents", "            - Sid: ReadJobLogStreams\n              Effect: Allow\n              Action: [logs:GetLogEvents, logs:FilterLogEvents]");
    expect(checkIamGrants(extra, expected)).toEqual([expect.stringMatching(/^BatchEventsFunction\/ReadJobLogStreams: extra grant logs:FilterLogEvents: no code sends it/u)]);
    const explained = extra.replace("Action: [logs:GetLogEvents, logs:FilterLogEvents]", "# extra-grant logs:FilterLogEvents: an operator searches the job logs from this role\n              Action: [logs:GetLogEvents, logs:FilterLogEvents]");
    expect(checkIamGrants(explained, expected)).toEqual([]);
  });

  it("fails on a wildcard action and on a resource that the template neither creates nor names", () => {
    const wildcard = plant(templateText, "Action: lambda:InvokeFunction", "Action: lambda:*");
    expect(checkIamGrants(wildcard, expected)).toEqual(
      expect.arrayContaining(["WebhookFunction/InvokeSelfAsynchronously: wildcard action lambda:*", expect.stringMatching(/^WebhookFunction: missing grant lambda:InvokeFunction/u)]),
    );
    const foreign = plant(templateText, ":function:${AWS::StackName}-webhook", ":function:some-other-function");
    expect(checkIamGrants(foreign, expected)).toEqual([expect.stringMatching(/^WebhookFunction\/InvokeSelfAsynchronously: .* names no resource that the template creates or that a parameter names$/u)]);
  });
});
