import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * Checks requests against GitHub's official OpenAPI description (@octokit/openapi), so that the
 * mocks and the stand-in cannot drift from the real API: the method and path template must exist,
 * query parameters must be declared, and a JSON body must validate against the operation's
 * requestBody schema.
 */

type Schema = {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
  minItems?: number;
  minimum?: number;
  maximum?: number;
};

interface Operation {
  parameters?: Array<{ $ref?: string; name?: string; in?: string }>;
  requestBody?: { $ref?: string; content?: Record<string, { schema?: Schema }> };
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; parameters: Record<string, { name: string; in: string }>; requestBodies?: Record<string, Operation["requestBody"]> };
}

interface Route {
  template: string;
  pattern: RegExp;
  literalLength: number;
  operation: Operation;
}

export interface CheckedRequest {
  method: string;
  /** Path with query, relative to the API root (no `/api/v3`). */
  path: string;
  body: unknown;
  template: string | null;
  problems: string[];
}

export class OpenApiContract {
  private readonly routes = new Map<string, Route[]>();
  readonly checked: CheckedRequest[] = [];

  constructor(private readonly spec: Spec) {
    for (const [template, methods] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
        // `{path}` in the contents API spans slashes when a client leaves them unencoded.
        const source = template
          .split(/(\{[^}]+\})/u)
          .map((part) => (part === "{path}" ? ".+" : part.startsWith("{") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&")))
          .join("");
        const route: Route = { template, pattern: new RegExp(`^${source}$`, "u"), literalLength: template.replace(/\{[^}]+\}/gu, "").length, operation };
        const list = this.routes.get(method.toUpperCase()) ?? [];
        list.push(route);
        this.routes.set(method.toUpperCase(), list);
      }
    }
  }

  /** Checks one request, records it in {@link checked}, and returns its problems (empty when it conforms). */
  check(method: string, pathWithQuery: string, body: unknown): string[] {
    const [rawPath = "", query = ""] = pathWithQuery.split("?", 2);
    const path = rawPath.replace(/^\/api\/v3(?=\/)/u, "");
    const candidates = (this.routes.get(method.toUpperCase()) ?? []).filter((route) => route.pattern.test(path));
    // The most literal template wins: /repos/{o}/{r}/check-runs over /repos/{o}/{r}/{x}.
    candidates.sort((a, b) => b.literalLength - a.literalLength);
    const route = candidates[0];
    const problems: string[] = [];
    if (!route) {
      problems.push(`${method} ${path} is not an operation in GitHub's OpenAPI description`);
    } else {
      problems.push(...this.checkQuery(route, query));
      problems.push(...this.checkBody(route, body));
    }
    this.checked.push({ method: method.toUpperCase(), path: pathWithQuery, body, template: route?.template ?? null, problems });
    return problems;
  }

  /** Every problem found so far, one line each. */
  violations(): string[] {
    return this.checked.flatMap((request) => request.problems.map((problem) => `${request.method} ${request.path}: ${problem}`));
  }

  private checkQuery(route: Route, query: string): string[] {
    if (!query) return [];
    const declared = new Set(
      (route.operation.parameters ?? [])
        .map((parameter) => (parameter.$ref ? this.spec.components.parameters[parameter.$ref.split("/").pop()!] : parameter))
        .filter((parameter): parameter is { name: string; in: string } => parameter?.in === "query")
        .map((parameter) => parameter.name),
    );
    return [...new URLSearchParams(query).keys()].filter((name) => !declared.has(name)).map((name) => `query parameter "${name}" is not declared for ${route.template}`);
  }

  private checkBody(route: Route, body: unknown): string[] {
    let requestBody = route.operation.requestBody;
    if (requestBody?.$ref) requestBody = this.spec.components.requestBodies?.[requestBody.$ref.split("/").pop()!];
    if (body === undefined || body === null || body === "") {
      return requestBody && (requestBody as { required?: boolean }).required ? [`a JSON body is required by ${route.template}`] : [];
    }
    const schema = requestBody?.content?.["application/json"]?.schema;
    if (!schema) return [`${route.template} takes no JSON body, but one was sent`];
    return this.validate(schema, body, "body");
  }

  /** Validates `value` against the JSON-schema subset GitHub's description uses. */
  validate(schema: Schema, value: unknown, at: string): string[] {
    if (schema.$ref) {
      const name = schema.$ref.split("/").pop()!;
      const target = this.spec.components.schemas[name];
      if (!target) return [`${at}: unresolvable $ref ${schema.$ref}`];
      return this.validate(target, value, at);
    }
    if (value === null) {
      const types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (schema.nullable || types.includes("null")) return [];
      if (schema.oneOf || schema.anyOf) return this.validateAlternatives(schema, value, at);
      if (schema.type === undefined && !schema.enum) return [];
      if (schema.enum?.includes(null)) return [];
      return [`${at}: null is not allowed`];
    }
    const problems: string[] = [];
    if (schema.allOf) for (const part of schema.allOf) problems.push(...this.validate(part, value, at));
    if (schema.oneOf || schema.anyOf) problems.push(...this.validateAlternatives(schema, value, at));
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!types.some((type) => matchesType(type, value))) return [...problems, `${at}: expected ${types.join(" or ")}, got ${describe(value)}`];
    }
    if (schema.enum && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    if (typeof value === "string") {
      if (schema.maxLength !== undefined && [...value].length > schema.maxLength) problems.push(`${at}: longer than maxLength ${schema.maxLength}`);
      if (schema.minLength !== undefined && [...value].length < schema.minLength) problems.push(`${at}: shorter than minLength ${schema.minLength}`);
    }
    if (typeof value === "number") {
      if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${at}: below minimum ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${at}: above maximum ${schema.maximum}`);
    }
    if (Array.isArray(value)) {
      if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${at}: ${value.length} items, over maxItems ${schema.maxItems}`);
      if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${at}: ${value.length} items, under minItems ${schema.minItems}`);
      if (schema.items) value.forEach((item, index) => problems.push(...this.validate(schema.items!, item, `${at}[${index}]`)));
    }
    if (isObject(value)) {
      for (const name of schema.required ?? []) if (!(name in value)) problems.push(`${at}.${name}: required`);
      for (const [name, child] of Object.entries(value)) {
        const property = schema.properties?.[name];
        if (property) problems.push(...this.validate(property, child, `${at}.${name}`));
        else if (schema.additionalProperties === false) problems.push(`${at}.${name}: not a property of this operation's body`);
        else if (typeof schema.additionalProperties === "object") problems.push(...this.validate(schema.additionalProperties, child, `${at}.${name}`));
      }
    }
    return problems;
  }

  private validateAlternatives(schema: Schema, value: unknown, at: string): string[] {
    const problems: string[] = [];
    if (schema.oneOf) {
      const passing = schema.oneOf.filter((option) => this.validate(option, value, at).length === 0).length;
      if (passing !== 1) problems.push(`${at}: matches ${passing} of the oneOf alternatives, expected exactly 1`);
    }
    if (schema.anyOf && !schema.anyOf.some((option) => this.validate(option, value, at).length === 0)) {
      problems.push(`${at}: matches none of the anyOf alternatives`);
    }
    return problems;
  }
}

function matchesType(type: string | undefined, value: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    case "null":
      return value === null;
    default:
      return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
}

/** Parses a request body string as JSON when it is JSON; raw bodies are returned as they are. */
export function parseBody(raw: string | undefined): unknown {
  if (raw === undefined || raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Loads GitHub's OpenAPI description (13 MB) from node_modules; call once per test file. */
export function loadOpenApiContract(): OpenApiContract {
  const require = createRequire(import.meta.url);
  const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
  return new OpenApiContract(JSON.parse(readFileSync(file, "utf8")) as Spec);
}
