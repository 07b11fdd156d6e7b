import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/repo-root.js";
import { loadResourceSpec, validateTemplate } from "./cfn/validate-template.js";
import { parseCfnYaml } from "./parse-cfn-yaml.js";

const text = readFileSync(path.join(repoRoot, "templates/sam.yaml"), "utf8");
const spec = loadResourceSpec();

function planted(from: string, to: string): Record<string, any> {
  if (text.split(from).length !== 2) throw new Error(`plant ${JSON.stringify(from)} exactly once`);
  return parseCfnYaml(text.replace(from, to));
}

describe("templates/sam.yaml against AWS's published resource specification", () => {
  it("loads a specification that covers CloudFormation and SAM types", () => {
    expect(spec.resources.size).toBeGreaterThan(1000);
    expect(spec.resources.has("AWS::Batch::JobDefinition")).toBe(true);
    expect(spec.resources.has("AWS::Serverless::Function")).toBe(true);
  });

  it("uses only resource types and properties that exist, and every Ref, GetAtt, Sub variable and condition resolves", () => {
    expect(validateTemplate(parseCfnYaml(text), spec)).toEqual([]);
  });

  it("reports an unknown resource type", () => {
    expect(validateTemplate(planted("Type: AWS::Batch::JobQueue", "Type: AWS::Batch::JobQueues"), spec)).toEqual([
      expect.stringMatching(/^Resources\.GpuJobQueue\.Type: AWS::Batch::JobQueues is not a resource type in @aws-cdk\/aws-service-spec /u),
    ]);
  });

  it("reports a misspelt property at any depth, in SAM resources and Globals too", () => {
    expect(validateTemplate(planted("SharedMemorySize: 8192", "SharedMemorySizes: 8192"), spec)).toEqual([
      expect.stringMatching(/^Resources\.RunnerJobDefinitionA10G\.Properties\.ContainerProperties\.LinuxParameters\.SharedMemorySizes: is not a property/u),
    ]);
    expect(validateTemplate(planted("MaximumRetryAttempts: 0", "MaximumRetries: 0"), spec)).toEqual([
      expect.stringMatching(/^Resources\.WebhookFunction\.Properties\.EventInvokeConfig\.MaximumRetries: is not a property/u),
    ]);
    expect(validateTemplate(planted("    Architectures: [arm64]", "    Architecture: [arm64]"), spec)).toEqual([expect.stringMatching(/^Globals\.Function\.Architecture: is not a property/u)]);
  });

  it("reports a Ref, a GetAtt, a Sub variable and a condition that resolve to nothing", () => {
    expect(validateTemplate(planted("ComputeEnvironment: !Ref GpuSpotComputeEnvironment", "ComputeEnvironment: !Ref GpuSpotEnvironment"), spec)).toEqual([
      "Resources.GpuJobQueue.Properties.ComputeEnvironmentOrder[0].ComputeEnvironment: Ref GpuSpotEnvironment names no parameter, resource or pseudo parameter",
    ]);
    expect(validateTemplate(planted("InstanceRole: !GetAtt GpuInstanceProfile.Arn", "InstanceRole: !GetAtt GpuInstanceProfile.Name"), spec)).toEqual([
      "Resources.GpuSpotComputeEnvironment.Properties.ComputeResources.InstanceRole: Fn::GetAtt GpuInstanceProfile.Name: AWS::IAM::InstanceProfile has no attribute Name (it has Arn)",
    ]);
    expect(validateTemplate(planted('FunctionName: !Sub "${AWS::StackName}-webhook"', 'FunctionName: !Sub "${StackName}-webhook"'), spec)).toEqual([
      "Resources.WebhookFunction.Properties.FunctionName: ${StackName} in Fn::Sub names no parameter, resource or pseudo parameter",
    ]);
    expect(validateTemplate(planted("NBTRAIN_STORE: !If [HasStoreUri,", "NBTRAIN_STORE: !If [HasStore,"), spec)).toEqual([
      "Globals.Function.Environment.Variables.NBTRAIN_STORE: Fn::If names HasStore, which is not a condition of the template",
    ]);
    // SAM's generated resources resolve: the Function URL's attribute, and a wrong one does not.
    expect(validateTemplate(planted("!GetAtt WebhookFunctionUrl.FunctionUrl", "!GetAtt WebhookFunctionUrl.Url"), spec)).toEqual([
      expect.stringMatching(/^Outputs\.WebhookUrl\.Value: Fn::GetAtt WebhookFunctionUrl\.Url: AWS::Lambda::Url has no attribute Url/u),
    ]);
  });

  it("reports a missing required property and a value of the wrong shape", () => {
    expect(validateTemplate(planted("      Priority: 1\n", ""), spec)).toEqual(["Resources.GpuJobQueue.Properties.Priority: is required"]);
    expect(validateTemplate(planted("InstanceTypes: !Ref GpuInstanceTypes", "InstanceTypes: {g4dn: xlarge}"), spec)).toEqual([
      "Resources.GpuSpotComputeEnvironment.Properties.ComputeResources.InstanceTypes: must be a list",
    ]);
  });

  it("cannot check what the packaged SAM specification lacks: an EventBridge rule's RetryPolicy goes unchecked", () => {
    expect(validateTemplate(planted("              MaximumRetryAttempts: 4", "              MaxRetryAttempts: 4"), spec)).toEqual([]);
  });
});
