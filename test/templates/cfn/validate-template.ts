import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { gunzipSync } from "node:zlib";

/** A property's type as the published specification describes it. */
type SpecType =
  | { type: "string" | "integer" | "number" | "boolean" | "date-time" | "json" | "tag" }
  | { type: "array" | "map"; element: SpecType }
  | { type: "union"; types: SpecType[] }
  | { type: "ref"; reference: { $ref: string } };

interface SpecProperty {
  type: SpecType;
  required?: boolean;
}

interface SpecResource {
  cloudFormationType: string;
  properties: Record<string, SpecProperty>;
  attributes: Record<string, unknown>;
}

interface SpecTypeDefinition {
  $id: string;
  name: string;
  properties: Record<string, SpecProperty>;
}

export interface ResourceSpec {
  resources: Map<string, SpecResource>;
  types: Map<string, SpecTypeDefinition>;
  /** Where the specification came from (package and version), for messages. */
  source: string;
}

/**
 * AWS's CloudFormation resource specification as the CDK ships it: `@aws-cdk/aws-service-spec`
 * carries a database built from the CloudFormation registry schemas and the SAM specification
 * (db.json.gz). Read directly, so the check needs none of its runtime.
 */
export function loadResourceSpec(): ResourceSpec {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve("@aws-cdk/aws-service-spec/package.json");
  const { version } = JSON.parse(readFileSync(packageJson, "utf8")) as { version: string };
  const db = JSON.parse(gunzipSync(readFileSync(path.join(path.dirname(packageJson), "db.json.gz"))).toString("utf8")) as {
    schema: { resource: { entities: SpecResource[] }; typeDefinition: { entities: SpecTypeDefinition[] } };
  };
  return {
    resources: new Map(db.schema.resource.entities.map((resource) => [resource.cloudFormationType, resource])),
    types: new Map(db.schema.typeDefinition.entities.map((type) => [type.$id, type])),
    source: `@aws-cdk/aws-service-spec ${version}`,
  };
}

/**
 * Properties the SAM documentation (AWS::Serverless::Function, EventBridgeRule) gives an event
 * source that the packaged SAM specification, older than SAM, lacks. Their values go unchecked.
 */
const SAM_SPEC_GAPS: Record<string, string[]> = {
  EventBridgeRuleEvent: ["DeadLetterConfig", "RetryPolicy", "Target", "InputTransformer", "RuleName", "State"],
};

/** The resources the SAM transform adds for a function, by the logical ids the SAM documentation gives them. */
function samGenerated(name: string, properties: Record<string, unknown>): Record<string, string> {
  return {
    [name]: "AWS::Lambda::Function",
    ...(properties.Role === undefined ? { [`${name}Role`]: "AWS::IAM::Role" } : {}),
    ...(properties.FunctionUrlConfig !== undefined ? { [`${name}Url`]: "AWS::Lambda::Url" } : {}),
  };
}

const TOP_LEVEL = new Set(["AWSTemplateFormatVersion", "Transform", "Description", "Metadata", "Parameters", "Mappings", "Conditions", "Rules", "Resources", "Outputs", "Globals"]);
const RESOURCE_KEYS = new Set(["Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "CreationPolicy", "UpdatePolicy"]);
const PARAMETER_KEYS = new Set(["Type", "Default", "Description", "AllowedPattern", "AllowedValues", "ConstraintDescription", "MaxLength", "MinLength", "MaxValue", "MinValue", "NoEcho"]);
const OUTPUT_KEYS = new Set(["Description", "Value", "Export", "Condition"]);
const PARAMETER_TYPE = /^(String|Number|List<Number>|CommaDelimitedList|AWS::EC2::(AvailabilityZone::Name|Image::Id|Instance::Id|KeyPair::KeyName|SecurityGroup::GroupName|SecurityGroup::Id|Subnet::Id|Volume::Id|VPC::Id)|AWS::Route53::HostedZone::Id|List<AWS::EC2::(AvailabilityZone::Name|Image::Id|Instance::Id|SecurityGroup::GroupName|SecurityGroup::Id|Subnet::Id|Volume::Id|VPC::Id)>|List<AWS::Route53::HostedZone::Id>|AWS::SSM::Parameter::(Name|Value<.+>))$/u;
const PSEUDO = new Set(["AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"]);
const FUNCTIONS = new Set(["Fn::Base64", "Fn::Cidr", "Fn::Equals", "Fn::FindInMap", "Fn::GetAtt", "Fn::GetAZs", "Fn::If", "Fn::ImportValue", "Fn::Join", "Fn::Not", "Fn::And", "Fn::Or", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::Transform", "Fn::Length", "Fn::ToJsonString", "Ref", "Condition"]);

/**
 * Checks a parsed template (short-form tags already in their `Fn::` form) against the
 * specification: the template's sections and keys, each resource type and every property at any
 * depth, required properties, each parameter type, and that every `Ref`, `Fn::GetAtt`, `Fn::Sub`
 * variable, condition and `DependsOn` resolves. Answers every problem found, as `path: problem`.
 */
export function validateTemplate(template: Record<string, any>, spec: ResourceSpec): string[] {
  const problems: string[] = [];
  const report = (at: string, problem: string): void => void problems.push(`${at}: ${problem}`);
  for (const key of Object.keys(template)) if (!TOP_LEVEL.has(key)) report(key, "is not a template section");
  const isSam = template.Transform === "AWS::Serverless-2016-10-31" || (Array.isArray(template.Transform) && template.Transform.includes("AWS::Serverless-2016-10-31"));
  if (template.Globals !== undefined && !isSam) report("Globals", "needs the AWS::Serverless-2016-10-31 transform");

  const parameters = (template.Parameters ?? {}) as Record<string, Record<string, unknown>>;
  const conditions = (template.Conditions ?? {}) as Record<string, unknown>;
  const mappings = (template.Mappings ?? {}) as Record<string, unknown>;
  const resources = (template.Resources ?? {}) as Record<string, Record<string, any>>;

  // Logical id → the CloudFormation type whose attributes it has (SAM's generated resources included).
  const typeOf = new Map<string, string>();
  for (const [name, resource] of Object.entries(resources)) {
    typeOf.set(name, resource.Type);
    if (resource.Type === "AWS::Serverless::Function") for (const [id, type] of Object.entries(samGenerated(name, resource.Properties ?? {}))) typeOf.set(id, type);
  }

  const context: Context = { spec, parameters, conditions, mappings, typeOf, report };

  for (const [name, parameter] of Object.entries(parameters)) {
    for (const key of Object.keys(parameter)) if (!PARAMETER_KEYS.has(key)) report(`Parameters.${name}.${key}`, "is not a parameter attribute");
    if (typeof parameter.Type !== "string" || !PARAMETER_TYPE.test(parameter.Type)) report(`Parameters.${name}.Type`, `${String(parameter.Type)} is not a CloudFormation parameter type`);
  }
  for (const [name, condition] of Object.entries(conditions)) checkIntrinsics(condition, `Conditions.${name}`, context, {});

  const globals = (template.Globals ?? {}) as Record<string, Record<string, unknown>>;
  for (const [section, values] of Object.entries(globals)) {
    const resource = spec.resources.get(`AWS::Serverless::${section}`);
    if (!resource) {
      report(`Globals.${section}`, "is not a SAM resource kind");
      continue;
    }
    checkProperties(values, resource.properties, `Globals.${section}`, context, false);
  }

  for (const [name, resource] of Object.entries(resources)) {
    const at = `Resources.${name}`;
    for (const key of Object.keys(resource)) if (!RESOURCE_KEYS.has(key)) report(`${at}.${key}`, "is not a resource attribute");
    if (resource.Condition !== undefined && !(resource.Condition in conditions)) report(`${at}.Condition`, `${String(resource.Condition)} is not a condition of the template`);
    for (const dependency of ([] as unknown[]).concat(resource.DependsOn ?? [])) if (!(String(dependency) in resources)) report(`${at}.DependsOn`, `${String(dependency)} is not a resource of the template`);
    const type = spec.resources.get(resource.Type);
    if (!type) {
      report(`${at}.Type`, `${String(resource.Type)} is not a resource type in ${spec.source}`);
      continue;
    }
    // Globals fill a SAM resource's properties before the transform checks them.
    const global = resource.Type.startsWith("AWS::Serverless::") ? (globals[resource.Type.slice("AWS::Serverless::".length)] ?? {}) : {};
    checkProperties(resource.Properties ?? {}, type.properties, `${at}.Properties`, context, false);
    const merged = { ...global, ...(resource.Properties ?? {}) };
    for (const [key, property] of Object.entries(type.properties)) if (property.required && merged[key] === undefined) report(`${at}.Properties.${key}`, "is required");
  }

  for (const [name, output] of Object.entries((template.Outputs ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const key of Object.keys(output)) if (!OUTPUT_KEYS.has(key)) report(`Outputs.${name}.${key}`, "is not an output attribute");
    if (output.Value === undefined) report(`Outputs.${name}`, "has no Value");
    checkIntrinsics(output, `Outputs.${name}`, context, {});
  }
  return problems;
}

interface Context {
  spec: ResourceSpec;
  parameters: Record<string, unknown>;
  conditions: Record<string, unknown>;
  mappings: Record<string, unknown>;
  typeOf: Map<string, string>;
  report: (at: string, problem: string) => void;
}

/** `extra`: keys accepted without a type (SAM_SPEC_GAPS). */
function checkProperties(values: unknown, properties: Record<string, SpecProperty>, at: string, context: Context, checkRequired: boolean, extra: string[] = []): void {
  if (isIntrinsic(values)) return checkIntrinsics(values, at, context, {});
  if (!isRecord(values)) return context.report(at, "must be an object");
  for (const [key, value] of Object.entries(values)) {
    const property = properties[key];
    if (!property) {
      if (extra.includes(key)) checkIntrinsics(value, `${at}.${key}`, context, {});
      else context.report(`${at}.${key}`, `is not a property (known: ${Object.keys(properties).sort().join(", ")})`);
      continue;
    }
    checkValue(value, property.type, `${at}.${key}`, context);
  }
  if (checkRequired) {
    for (const [key, property] of Object.entries(properties)) {
      if (property.required && values[key] === undefined) context.report(`${at}.${key}`, "is required");
    }
  }
}

function checkValue(value: unknown, type: SpecType, at: string, context: Context): void {
  if (isIntrinsic(value)) {
    checkIntrinsics(value, at, context, {});
    // Both branches of an Fn::If must fit the property.
    const branches = isRecord(value) && Array.isArray(value["Fn::If"]) ? (value["Fn::If"] as unknown[]).slice(1) : [];
    for (const branch of branches) if (!(isRecord(branch) && branch.Ref === "AWS::NoValue")) checkValue(branch, type, at, context);
    return;
  }
  switch (type.type) {
    case "string":
    case "integer":
    case "number":
    case "boolean":
    case "date-time":
      if (typeof value === "object" && value !== null) context.report(at, `must be a ${type.type}, not ${Array.isArray(value) ? "a list" : "an object"}`);
      return;
    case "json":
      return checkIntrinsics(value, at, context, {});
    case "tag":
      return checkProperties(value, { Key: { type: { type: "string" }, required: true }, Value: { type: { type: "string" }, required: true } }, at, context, true);
    case "array":
      if (!Array.isArray(value)) return context.report(at, "must be a list");
      value.forEach((item, i) => checkValue(item, type.element, `${at}[${i}]`, context));
      return;
    case "map":
      if (!isRecord(value)) return context.report(at, "must be a map");
      for (const [key, item] of Object.entries(value)) checkValue(item, type.element, `${at}.${key}`, context);
      return;
    case "ref": {
      const definition = context.spec.types.get(type.reference.$ref);
      if (!definition) return context.report(at, `the specification has no type ${type.reference.$ref}`);
      if (definition.name === "EventSource" && isRecord(value)) return checkEventSource(value, definition, at, context);
      return checkProperties(value, definition.properties, at, context, true);
    }
    case "union": {
      // Fits if some alternative reports nothing.
      const attempts = type.types.map((alternative) => {
        const found: string[] = [];
        checkValue(value, alternative, at, { ...context, report: (where, problem) => void found.push(`${where}: ${problem}`) });
        return found;
      });
      if (attempts.some((found) => found.length === 0)) return;
      const best = attempts.reduce((a, b) => (b.length < a.length ? b : a));
      for (const problem of best) {
        const cut = problem.indexOf(": ");
        context.report(problem.slice(0, cut), problem.slice(cut + 2));
      }
      return;
    }
  }
}

/** A SAM event source: its Properties are checked against the `<Type>Event` definition that Type selects. */
function checkEventSource(value: Record<string, unknown>, definition: SpecTypeDefinition, at: string, context: Context): void {
  for (const key of Object.keys(value)) if (!(key in definition.properties)) context.report(`${at}.${key}`, "is not a property of an event source");
  const kind = `${String(value.Type)}Event`;
  const union = definition.properties.Properties?.type;
  const alternatives = union?.type === "union" ? union.types : [];
  const selected = alternatives.map((alternative) => (alternative.type === "ref" ? context.spec.types.get(alternative.reference.$ref) : undefined)).find((type) => type?.name === kind);
  if (!selected) return context.report(`${at}.Type`, `${String(value.Type)} is not a SAM event source type`);
  checkProperties(value.Properties ?? {}, selected.properties, `${at}.Properties`, context, true, SAM_SPEC_GAPS[kind] ?? []);
}

/** Every intrinsic function inside `value`: its target must exist. */
function checkIntrinsics(value: unknown, at: string, context: Context, subVariables: Record<string, unknown>): void {
  if (Array.isArray(value)) return value.forEach((item, i) => checkIntrinsics(item, `${at}[${i}]`, context, subVariables));
  if (!isRecord(value)) return;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0]!.startsWith("Fn::") || keys[0] === "Ref") && !FUNCTIONS.has(keys[0]!)) context.report(at, `${keys[0]} is not an intrinsic function`);
  if (keys.length === 1 && keys[0] === "Ref") {
    const target = value.Ref;
    if (typeof target !== "string" || !(PSEUDO.has(target) || target in context.parameters || context.typeOf.has(target))) context.report(at, `Ref ${String(target)} names no parameter, resource or pseudo parameter`);
    return;
  }
  if (keys.length === 1 && keys[0] === "Fn::GetAtt") {
    const [resource, attribute] = Array.isArray(value["Fn::GetAtt"]) ? (value["Fn::GetAtt"] as unknown[]) : [];
    checkGetAtt(String(resource), String(attribute), at, context);
    return;
  }
  if (keys.length === 1 && keys[0] === "Fn::Sub") {
    const sub = value["Fn::Sub"];
    const [text, variables] = typeof sub === "string" ? [sub, {}] : Array.isArray(sub) ? [String(sub[0]), (sub[1] ?? {}) as Record<string, unknown>] : ["", {}];
    checkIntrinsics(variables, `${at}.Fn::Sub`, context, {});
    for (const match of text.matchAll(/\$\{([^}!][^}]*)\}/gu)) {
      const name = match[1]!;
      if (name in variables) continue;
      const dot = name.indexOf(".");
      if (dot > 0 && !name.startsWith("AWS::")) checkGetAtt(name.slice(0, dot), name.slice(dot + 1), at, context);
      else if (!(PSEUDO.has(name) || name in context.parameters || context.typeOf.has(name))) context.report(at, `\${${name}} in Fn::Sub names no parameter, resource or pseudo parameter`);
    }
    return;
  }
  if (keys.length === 1 && keys[0] === "Fn::If") {
    const [condition] = value["Fn::If"] as unknown[];
    if (!(String(condition) in context.conditions)) context.report(at, `Fn::If names ${String(condition)}, which is not a condition of the template`);
  }
  if (keys.length === 1 && keys[0] === "Condition" && typeof value.Condition === "string" && !(value.Condition in context.conditions)) context.report(at, `Condition ${value.Condition} is not a condition of the template`);
  if (keys.length === 1 && keys[0] === "Fn::FindInMap") {
    const [map] = value["Fn::FindInMap"] as unknown[];
    if (typeof map === "string" && !(map in context.mappings)) context.report(at, `Fn::FindInMap names ${map}, which is not a mapping of the template`);
  }
  for (const [key, child] of Object.entries(value)) checkIntrinsics(child, `${at}.${key}`, context, subVariables);
}

function checkGetAtt(resource: string, attribute: string, at: string, context: Context): void {
  const type = context.typeOf.get(resource);
  if (!type) return context.report(at, `Fn::GetAtt ${resource}.${attribute}: ${resource} is not a resource of the template`);
  const attributes = context.spec.resources.get(type)?.attributes ?? {};
  if (!(attribute in attributes)) context.report(at, `Fn::GetAtt ${resource}.${attribute}: ${type} has no attribute ${attribute} (it has ${Object.keys(attributes).join(", ") || "none"})`);
}

function isIntrinsic(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::"));
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
