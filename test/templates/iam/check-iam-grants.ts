import { isPair, isScalar, visit } from "yaml";
import { parseCfnDocument, parseCfnYaml } from "../parse-cfn-yaml.js";
import type { DerivedActions } from "./derive-aws-actions.js";

/**
 * Actions that support no resource-level permissions: AWS accepts them only on Resource "*"
 * (Service Authorization Reference, "Actions defined by AWS Batch": no resource type listed).
 */
export const UNSCOPABLE_ACTIONS = new Set(["batch:DescribeJobs", "batch:ListJobs"]);

/** `# extra-grant <action>: <why>` inside a statement: a grant the code does not need, and why it is there. */
const EXTRA_GRANT = /#\s*extra-grant\s+([a-z0-9-]+:[A-Za-z0-9*]+)\s*:\s*(\S.{9,})/gu;
/** `# not-granted <Principal> <action>: <why>` anywhere: an action the code can send that the template leaves out, and why. */
const NOT_GRANTED = /#\s*not-granted\s+([A-Za-z0-9]+)\s+([a-z0-9-]+:[A-Za-z0-9]+)\s*:\s*(\S.{9,})/gu;
/** `# runtime-resource: <why>` inside a statement: it names resources the code creates at run time, not the template. */
const RUNTIME_RESOURCE = /#\s*runtime-resource\s*:\s*(\S.{9,})/u;

const PSEUDO = new Set(["AWS::Partition", "AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::URLSuffix", "AWS::StackId"]);

interface Statement {
  principal: string;
  sid: string;
  actions: string[];
  resources: unknown[];
  /** The statement's source text, comments included. */
  text: string;
}

/**
 * Checks the IAM grants of `templateText` against what the code of each principal can call
 * (`expected`: principal's logical id → derived actions) and answers every problem found:
 * - an action the code sends that the principal is not granted (unless `# not-granted` says why);
 * - an action granted that the code never sends (unless `# extra-grant` in its statement says why);
 * - a Resource "*" on an action that AWS lets be scoped, a wildcard action, or a resource that is
 *   neither one the template creates or a parameter names (unless `# runtime-resource` says why,
 *   which never covers "*").
 * The resource rules apply to every statement of the template, not only the principals checked.
 */
export function checkIamGrants(templateText: string, expected: Record<string, DerivedActions>): string[] {
  const template = parseCfnYaml(templateText);
  const statements = readStatements(templateText);
  const problems: string[] = [];
  const names = templateNames(template);

  for (const [principal, derived] of Object.entries(expected)) {
    const own = statements.filter((s) => s.principal === principal);
    if (own.length === 0) problems.push(`${principal}: the template grants it nothing (is it still a resource?)`);
    const granted = new Set(own.flatMap((s) => s.actions));
    for (const [action, sources] of derived) {
      if (granted.has(action)) continue;
      const excuse = [...templateText.matchAll(NOT_GRANTED)].find((m) => m[1] === principal && m[2] === action);
      if (!excuse) problems.push(`${principal}: missing grant ${action}, which ${[...new Set(sources)].join(", ")} sends`);
    }
    for (const s of own) {
      const excused = new Set([...s.text.matchAll(EXTRA_GRANT)].map((m) => m[1]));
      for (const action of s.actions) {
        if (!derived.has(action) && !excused.has(action)) problems.push(`${principal}/${s.sid}: extra grant ${action}: no code sends it, and no "# extra-grant ${action}: why" comment says why it is there`);
      }
    }
  }

  for (const s of statements) {
    const where = `${s.principal}/${s.sid}`;
    for (const action of s.actions) if (action.includes("*")) problems.push(`${where}: wildcard action ${action}`);
    for (const resource of s.resources) {
      if (resource === "*") {
        const scopable = s.actions.filter((action) => !UNSCOPABLE_ACTIONS.has(action));
        if (scopable.length > 0) problems.push(`${where}: ${scopable.join(", ")} on Resource "*"; scope it to the template's resources`);
        continue;
      }
      const reason = unscoped(resource, template, names);
      if (reason && !RUNTIME_RESOURCE.test(s.text)) problems.push(`${where}: ${JSON.stringify(resource)} ${reason}`);
    }
  }
  return problems;
}

/** Why a resource is not scoped to the template's own resources or parameters, or null when it is. */
function unscoped(resource: unknown, template: Record<string, any>, names: string[]): string | null {
  const resources = template.Resources as Record<string, unknown>;
  const parameters = (template.Parameters ?? {}) as Record<string, unknown>;
  if (isRecord(resource) && typeof resource.Ref === "string") {
    return resource.Ref in resources || resource.Ref in parameters ? null : `refers to ${resource.Ref}, which the template neither creates nor takes as a parameter`;
  }
  if (isRecord(resource) && Array.isArray(resource["Fn::GetAtt"])) {
    return String(resource["Fn::GetAtt"][0]) in resources ? null : "is an attribute of a resource the template does not create";
  }
  if (isRecord(resource) && resource["Fn::Sub"] !== undefined) {
    const sub = resource["Fn::Sub"];
    const text = typeof sub === "string" ? sub : Array.isArray(sub) && typeof sub[0] === "string" ? sub[0] : undefined;
    if (text === undefined) return "is an Fn::Sub this check cannot read";
    const variables = [...text.matchAll(/\$\{([^}!]+)\}/gu)].map((m) => m[1]!);
    const fields = text.replace(/\$\{AWS::([A-Za-z]+)\}/gu, "${AWS_$1}").split(":");
    if (fields[0] === "arn") {
      if (fields[1] !== "${AWS_Partition}") return "hard-codes its partition";
      if (fields[3] !== "" && fields[3] !== "${AWS_Region}") return "is not limited to the stack's region";
      if (fields[4] !== "" && fields[4] !== "${AWS_AccountId}") return "is not limited to the stack's account";
    }
    const own = variables.some((v) => !PSEUDO.has(v) && (v.split(".")[0]! in resources || v in parameters));
    if (own) return null;
    // A name the template gives one of its resources, such as "${AWS::StackName}-webhook".
    const name = /\$\{AWS::StackName\}[^*:/]*/u.exec(text)?.[0];
    if (name && names.some((given) => given.startsWith(name))) return null;
    return "names no resource that the template creates or that a parameter names";
  }
  return typeof resource === "string" ? "is a literal ARN, not a resource of the template" : "is a form this check does not know";
}

/** The names the template gives its resources with Fn::Sub (`${AWS::StackName}-runner`, ...). */
function templateNames(template: Record<string, any>): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isRecord(value)) {
      if (typeof value["Fn::Sub"] === "string" && value["Fn::Sub"].startsWith("${AWS::StackName}")) out.push(value["Fn::Sub"]);
      Object.values(value).forEach(walk);
    }
  };
  walk(template.Resources);
  return out;
}

/** Every IAM statement with its principal, Sid and source text (for its comments). */
function readStatements(text: string): Statement[] {
  const doc = parseCfnDocument(text);
  const out: Statement[] = [];
  visit(doc, {
    Map(_key, node, path) {
      if (!node.has("Effect") || !node.has("Action")) return;
      const keys = path.filter(isPair).map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ""));
      if (keys[0] !== "Resources" || keys.includes("AssumeRolePolicyDocument")) return;
      const value = node.toJS(doc) as { Sid?: string; Effect: string; Action: string | string[]; Resource?: unknown };
      if (value.Effect !== "Allow") return;
      const [start, , end] = node.range ?? [0, 0, 0];
      out.push({ principal: keys[1]!, sid: value.Sid ?? "(no Sid)", actions: ([] as string[]).concat(value.Action), resources: flatten(value.Resource), text: text.slice(start, end) });
    },
  });
  // Statements inside a tagged collection (`Policies: !If [...]`) have no node of their own: take them from
  // the plain form, without comments.
  const plain = parseCfnYaml(text).Resources as Record<string, unknown>;
  const walk = (principal: string, value: unknown, inTrust: boolean): void => {
    if (Array.isArray(value)) value.forEach((item) => walk(principal, item, inTrust));
    else if (isRecord(value)) {
      if (!inTrust && value.Effect === "Allow" && value.Action !== undefined) {
        const sid = typeof value.Sid === "string" ? value.Sid : "(no Sid)";
        if (!out.some((s) => s.principal === principal && s.sid === sid)) {
          out.push({ principal, sid, actions: ([] as string[]).concat(value.Action as string | string[]), resources: flatten(value.Resource), text: "" });
        }
        return;
      }
      for (const [key, child] of Object.entries(value)) walk(principal, child, inTrust || key === "AssumeRolePolicyDocument");
    }
  };
  for (const [principal, resource] of Object.entries(plain)) walk(principal, resource, false);
  return out;
}

/** Both branches of every `Fn::If`, lists spread, `AWS::NoValue` dropped. */
export function flatten(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(flatten);
  if (isRecord(value) && Array.isArray(value["Fn::If"])) {
    const [, yes, no] = value["Fn::If"] as unknown[];
    return [...flatten(yes), ...flatten(no)];
  }
  if (isRecord(value) && value.Ref === "AWS::NoValue") return [];
  return [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
