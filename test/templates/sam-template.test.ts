import { mkdtemp, rm } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFunctions, type BuiltFunction } from "../../scripts/lib/build-functions.js";
import { CLAIMS_PREFIX } from "../../src/util/claims.js";
import { repoRoot } from "../support/repo-root.js";
import { parseCfnYaml } from "./parse-cfn-yaml.js";

const template = parseCfnYaml(readFileSync(path.join(repoRoot, "templates/sam.yaml"), "utf8"));
const resources = template.Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

/**
 * AWS grants these actions only on Resource "*": they support no resource-level permissions
 * (Service Authorization Reference, AWS Batch). Every other action must be scoped.
 */
const UNSCOPABLE_ACTIONS = new Set(["batch:DescribeJobs", "batch:ListJobs"]);

/** Both branches of every `Fn::If`, minus `AWS::NoValue`: the values the template can take. */
function alternatives(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (isRecord(value) && Array.isArray(value["Fn::If"])) {
    const [, yes, no] = value["Fn::If"] as unknown[];
    return [...alternatives(yes), ...alternatives(no)];
  }
  if (isRecord(value) && value.Ref === "AWS::NoValue") return [];
  return [value];
}

function flatten(value: unknown): unknown[] {
  return alternatives(value).flatMap((item) => (Array.isArray(item) ? item.flatMap(flatten) : [item]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface Statement {
  where: string;
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every IAM statement: SAM function policies and the roles' inline policies. */
function allStatements(): Statement[] {
  const statements: Statement[] = [];
  for (const [name, fn] of ofType("AWS::Serverless::Function")) {
    for (const policy of flatten(fn.Properties.Policies)) {
      if (isRecord(policy)) for (const s of flatten(policy.Statement)) statements.push({ where: name, ...(s as Omit<Statement, "where">) });
    }
  }
  for (const [name, role] of ofType("AWS::IAM::Role")) {
    for (const policy of flatten(role.Properties.Policies)) {
      if (isRecord(policy) && isRecord(policy.PolicyDocument)) for (const s of flatten(policy.PolicyDocument.Statement)) statements.push({ where: name, ...(s as Omit<Statement, "where">) });
    }
  }
  return statements;
}

/** Every string in the template, with where it sits. */
function allStrings(value: unknown, at = "", out: Array<{ at: string; text: string }> = []): Array<{ at: string; text: string }> {
  if (typeof value === "string") out.push({ at, text: value });
  else if (Array.isArray(value)) value.forEach((item, i) => allStrings(item, `${at}[${i}]`, out));
  else if (isRecord(value)) for (const [key, child] of Object.entries(value)) allStrings(child, `${at}.${key}`, out);
  return out;
}

const SECRET_NAME = /SECRET|PRIVATE_KEY|TOKEN|PASSWORD|CREDENTIALS/u;

describe("templates/sam.yaml", () => {
  let outRoot: string;
  let built: BuiltFunction[];
  beforeAll(async () => {
    outRoot = await mkdtemp(path.join(tmpdir(), "nbtrain-build-"));
    built = (await buildFunctions(repoRoot, outRoot)).functions;
  });
  afterAll(async () => {
    await rm(outRoot, { recursive: true, force: true });
  });

  it("expires the store's claims once no redelivery can need them, and nothing else", () => {
    const rules = resources.CheckpointBucket!.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
    const expiring = rules.filter((rule) => rule.ExpirationInDays !== undefined || rule.ExpirationDate !== undefined);
    expect(expiring).toEqual([{ Id: "ExpireClaims", Status: "Enabled", Prefix: CLAIMS_PREFIX, ExpirationInDays: 30 }]);
    // GitHub redelivers a webhook for up to 3 days; a claim must outlive that.
    expect(expiring[0]!.ExpirationInDays as number).toBeGreaterThan(3);
  });

  it("declares both functions on Node 24, the runtime the bundles target, each naming a handler that the build exports", () => {
    const functions = ofType("AWS::Serverless::Function");
    expect(functions.map(([name]) => name).sort()).toEqual(["BatchEventsFunction", "WebhookFunction"]);
    for (const [name, fn] of functions) {
      const runtime = fn.Properties.Runtime ?? template.Globals.Function.Runtime;
      expect(runtime, name).toBe("nodejs24.x");
      const codeUri = fn.Properties.CodeUri as string;
      expect(codeUri, name).toMatch(/^\.\.\/dist\/functions\/[a-z-]+$/u);
      const dir = path.join(outRoot, path.relative("../dist", codeUri));
      const [file, exported] = (fn.Properties.Handler as string).split(".");
      const bundle = built.find((b) => path.resolve(b.dir) === path.resolve(dir));
      expect(bundle, `${name}: the build has no ${codeUri}`).toBeDefined();
      expect(existsSync(path.join(dir, `${file}.mjs`)), `${name}: ${file}.mjs`).toBe(true);
      const output = Object.entries(bundle!.metafile.outputs).find(([key]) => path.resolve(key) === path.resolve(bundle!.entry))?.[1];
      expect(output?.exports, name).toContain(exported);
      // loadTemplates() walks up from the bundle to templates/; `sam build` needs a package.json.
      expect(existsSync(path.join(dir, "templates/pr-comment.md")), `${name}: templates next to the bundle`).toBe(true);
      expect(JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"))).toMatchObject({ type: "module" });
    }
  });

  it("keeps the Drive, S3 and Batch SDKs off every function's import-time path", () => {
    for (const fn of built) expect(fn.eagerHeavySdks, fn.name).toEqual([]);
  });

  it("gives the webhook a Function URL and limits the job event rule to nbtrain's queue", () => {
    expect(resources.WebhookFunction!.Properties.FunctionUrlConfig).toEqual({ AuthType: "NONE" });
    const events = Object.values(resources.BatchEventsFunction!.Properties.Events as Record<string, any>);
    expect(events).toHaveLength(1);
    expect(events[0].Type).toBe("EventBridgeRule");
    expect(events[0].Properties.Pattern).toEqual({
      source: ["aws.batch"],
      "detail-type": ["Batch Job State Change"],
      detail: {
        jobQueue: {
          "Fn::If": [
            "HasAllowedJobQueues",
            { "Fn::Split": [",", { "Fn::Join": [",", [{ Ref: "GpuJobQueue" }, { "Fn::Join": [",", { Ref: "AllowedJobQueueArns" }] }]] }] },
            [{ Ref: "GpuJobQueue" }],
          ],
        },
      },
    });
    expect(resources.GpuJobQueue!.Type).toBe("AWS::Batch::JobQueue");
  });

  it("uses no '*' resource except for actions AWS cannot scope, and never a wildcard action", () => {
    const statements = allStatements();
    expect(statements.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const s of statements) {
      const actions = ([] as string[]).concat(s.Action);
      const resourcesOf = flatten(s.Resource);
      for (const action of actions) if (action.includes("*")) problems.push(`${s.where}/${s.Sid}: wildcard action ${action}`);
      if (resourcesOf.includes("*")) {
        const scopable = actions.filter((action) => !UNSCOPABLE_ACTIONS.has(action));
        if (scopable.length > 0) problems.push(`${s.where}/${s.Sid}: ${scopable.join(", ")} on "*"`);
      }
      for (const resource of resourcesOf) {
        if (typeof resource === "string" && resource !== "*" && /:\*$|^arn:aws:[a-z0-9-]+:::?\*$/u.test(resource)) problems.push(`${s.where}/${s.Sid}: ${resource} is a wildcard`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("scopes Batch, S3, Secrets Manager and Logs to nbtrain's own resources", () => {
    const byAction = (action: string) => allStatements().filter((s) => ([] as string[]).concat(s.Action).includes(action));
    // The webhook submits; the batch events function submits a --budget chain's next segment. Both exactly the allow-lists.
    expect(byAction("batch:SubmitJob").map((s) => s.where).sort()).toEqual(["BatchEventsFunction", "WebhookFunction"]);
    for (const s of byAction("batch:SubmitJob")) {
      expect(flatten(s.Resource)).toEqual([
        { Ref: "GpuJobQueue" },
        { "Fn::Sub": "arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job-definition/${AWS::StackName}-runner*" },
        { Ref: "AllowedJobQueueArns" },
        { Ref: "AllowedJobDefinitionArns" },
      ]);
    }
    for (const s of byAction("batch:TagResource")) expect(flatten(s.Resource)).toEqual([{ "Fn::Sub": "arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job/*" }]);
    for (const s of byAction("batch:TerminateJob")) expect(flatten(s.Resource)).toEqual([{ "Fn::Sub": "arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job/*" }]);
    // Job tokens (docs/train-command.md: "Jobs run inside their repository"): the webhook writes and deletes them, the batch events
    // function deletes them, and only the job role reads them; each only under nbtrain/job-token/.
    const jobTokens = { "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:nbtrain/job-token/*" };
    for (const s of byAction("secretsmanager:GetSecretValue")) {
      if (s.Sid === "ReadJobToken") {
        expect(s.where).toBe("RunnerJobRole");
        expect(flatten(s.Resource)).toEqual([jobTokens]);
        continue;
      }
      for (const resource of flatten(s.Resource)) expect(["GitHubAppSecretArn", "DriveCredentialsSecretArn"]).toContain((resource as { Ref: string }).Ref);
    }
    for (const action of ["secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret", "secretsmanager:TagResource"]) {
      expect(byAction(action).length, action).toBeGreaterThan(0);
      for (const s of byAction(action)) expect(flatten(s.Resource), `${s.where}/${s.Sid}`).toEqual([jobTokens]);
    }
    expect(byAction("secretsmanager:CreateSecret").map((s) => s.where).sort()).toEqual(["BatchEventsFunction", "WebhookFunction"]);
    expect(byAction("secretsmanager:DeleteSecret").map((s) => s.where).sort()).toEqual(["BatchEventsFunction", "WebhookFunction"]);
    for (const s of byAction("s3:GetObject")) expect(flatten(s.Resource)).toEqual([{ "Fn::Sub": "${CheckpointBucket.Arn}/${CheckpointPrefix}/*" }]);
    for (const s of byAction("logs:GetLogEvents")) expect(JSON.stringify(s.Resource)).toContain("log-group:/aws/batch/job:log-stream:${AWS::StackName}-runner/*");
    expect(byAction("lambda:InvokeFunction").flatMap((s) => flatten(s.Resource))).toEqual([{ "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-webhook" }]);
    expect(resources.WebhookFunction!.Properties.FunctionName).toEqual({ "Fn::Sub": "${AWS::StackName}-webhook" });
  });

  it("inlines no secret: no key material, secrets only as Secrets Manager references", () => {
    const strings = allStrings(template);
    const leaks = strings.filter(({ text }) => /-----BEGIN|PRIVATE KEY-----|\bgh[pousr]_[A-Za-z0-9]{20,}|\bAKIA[0-9A-Z]{16}\b|"privateKey"\s*:/u.test(text));
    expect(leaks).toEqual([]);

    const variables = { ...template.Globals.Function.Environment.Variables };
    for (const [, fn] of ofType("AWS::Serverless::Function")) Object.assign(variables, fn.Properties.Environment?.Variables ?? {});
    for (const [name, value] of Object.entries(variables)) {
      if (!SECRET_NAME.test(name)) continue;
      expect(name, `${name} must be a reference (NAME_SECRET_ID or NAME_PARAMETER), not the secret`).toMatch(/_(SECRET_ID|PARAMETER)$/u);
      for (const option of flatten(value)) expect(JSON.stringify(option), name).toMatch(/"(Ref|Fn::Sub)":"\$?\{?(GitHubAppSecretArn|DriveCredentialsSecretArn)/u);
    }
    for (const [name, parameter] of Object.entries(template.Parameters as Record<string, any>)) {
      if (!/Secret|Key|Token|Password|Credential/u.test(name)) continue;
      expect(name, "a secret parameter carries an ARN, never the secret").toMatch(/Arn$/u);
      expect(parameter.Default ?? "", name).toBe("");
    }
    for (const [name, definition] of ofType("AWS::Batch::JobDefinition")) {
      const container = definition.Properties.ContainerProperties;
      for (const variable of flatten(container.Environment)) expect((variable as { Name: string }).Name, name).not.toMatch(SECRET_NAME);
      for (const secret of flatten(container.Secrets)) expect((secret as { ValueFrom: unknown }).ValueFrom, name).toEqual({ Ref: "DriveCredentialsSecretArn" });
    }
  });

  it("declares a job definition per GPU type that retries spot reclaims and ends with a catch-all EXIT", () => {
    const definitions = ofType("AWS::Batch::JobDefinition");
    expect(definitions.length).toBeGreaterThanOrEqual(2);
    for (const [name, definition] of definitions) {
      const retry = definition.Properties.RetryStrategy;
      expect(retry.Attempts, name).toBeGreaterThan(1);
      expect(retry.EvaluateOnExit[0], name).toEqual({ OnStatusReason: "Host EC2*", Action: "RETRY" });
      expect(retry.EvaluateOnExit.at(-1), name).toEqual({ OnReason: "*", Action: "EXIT" });
      expect(definition.Properties.ContainerProperties.ResourceRequirements, name).toContainEqual({ Type: "GPU", Value: "1" });
      expect(definition.Properties.ContainerProperties.Image, name).toEqual({ Ref: "RunnerImageUri" });
    }
    const environment = resources.GpuSpotComputeEnvironment!.Properties.ComputeResources;
    expect(environment).toMatchObject({ Type: "SPOT", MinvCpus: 0 });
  });
});
