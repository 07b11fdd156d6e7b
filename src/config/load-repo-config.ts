import { parseDocument } from "yaml";
import type { z } from "zod";
import { RULE_IDS } from "../notebook/finding.js";
import { repoConfigSchema, type RepoConfig } from "./repo-config.js";

/** The outcome of reading a repo config: the typed config, or one message that names the bad key. */
export type ConfigResult = { ok: true; config: RepoConfig } | { ok: false; message: string };

/** A config is a few lines; anything this large is a mistake or an attack, so it is refused unparsed. */
export const MAX_CONFIG_BYTES = 64 * 1024;

// The yaml package already refuses alias bombs (toJS throws past maxAliasCount) and deep nesting
// (RESOURCE_EXHAUSTION); the size cap above keeps its error formatting cheap too.
const MAX_ALIAS_COUNT = 100;
const MAX_REPORTED_ISSUES = 5;


/**
 * Validates an already-parsed config value (for example what Probot's `context.config` returns).
 * `null` or `undefined` (no config file, or an empty one) gives the defaults. Never throws.
 */
export function parseRepoConfig(value: unknown): ConfigResult {
  try {
    const input = value === null || value === undefined ? {} : dropEmptyTopLevelKeys(value);
    const parsed = repoConfigSchema.safeParse(input);
    if (parsed.success) return { ok: true, config: parsed.data };
    return { ok: false, message: describeIssues(parsed.error.issues, input) };
  } catch (error) {
    // Only an exotic value (a Proxy, a throwing getter) gets here; a YAML or JSON parse never makes one.
    return { ok: false, message: `config could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Parses `.github/nbtrain.yml` text and validates it. YAML syntax errors name the line and column;
 * schema errors name the key path (`rules.secret: expected one of off, info, warning, error`).
 * Never throws.
 */
export function loadRepoConfigText(text: string): ConfigResult {
  // Length in UTF-16 units is a lower bound on the byte size, so this check cannot be dodged.
  if (text.length > MAX_CONFIG_BYTES) {
    return {
      ok: false,
      message: `config is ${text.length} characters long, over the ${MAX_CONFIG_BYTES}-byte limit: a config needs only a few lines`,
    };
  }
  let value: unknown;
  try {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    // Warnings (an unknown tag such as !!js/function) are refused too: a config has no use for them.
    const [error] = [...doc.errors, ...doc.warnings];
    if (error) return { ok: false, message: describeYamlError(error) };
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // toJS throws a ReferenceError for alias expansion past maxAliasCount.
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `config is not usable YAML: ${reason}. Remove repeated aliases (*name)` };
  }
  return parseRepoConfig(value);
}

function describeYamlError(error: { code: string; message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): string {
  // yaml's message repeats the position and appends a source excerpt; keep only its first sentence.
  const headline = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  if (error.code === "RESOURCE_EXHAUSTION") return `config nests too deeply: ${headline}`;
  const what =
    error.code === "MULTIPLE_DOCS"
      ? "a config holds one YAML document, remove the --- separator"
      : error.code === "TAG_RESOLVE_FAILED"
        ? `${headline}, a config uses plain values without YAML tags`
        : headline;
  const where = error.linePos ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}` : "unknown position";
  return `YAML syntax error at ${where}: ${what}`;
}

/** `rules:` with every entry commented out parses as null; treat it as absent rather than as an error. */
function dropEmptyTopLevelKeys(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const entries = Object.entries(value);
  if (!entries.some(([, v]) => v === null)) return value;
  const kept: Record<string, unknown> = Object.create(null);
  for (const [key, v] of entries) if (v !== null) kept[key] = v;
  return kept;
}

type Issue = z.core.$ZodIssue;

function describeIssues(issues: readonly Issue[], input: unknown): string {
  const lines = issues.flatMap((issue) => describeIssue(issue, input));
  const shown = lines.slice(0, MAX_REPORTED_ISSUES);
  if (lines.length > MAX_REPORTED_ISSUES) shown.push(`(${lines.length - MAX_REPORTED_ISSUES} more problems not shown)`);
  return shown.join("; ");
}

function describeIssue(issue: Issue, input: unknown): string[] {
  const at = formatPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: ${describeUnknownKey(issue.path, key)}`);
    case "invalid_value":
      return [`${at}: expected one of ${issue.values.map(String).join(", ")}`];
    case "invalid_type":
      return [`${at}: expected ${describeExpected(issue.expected)}, got ${describeValue(valueAt(input, issue.path))}`];
    case "too_small":
    case "too_big":
      return [`${at}: ${describeBound(issue)}, got ${describeValue(valueAt(input, issue.path))}`];
    default:
      return [`${at}: ${issue.message}`];
  }
}

function describeUnknownKey(parent: readonly PropertyKey[], key: string): string {
  if (key === "__proto__" || key === "constructor" || key === "prototype") return "this key is not allowed, remove it";
  const known = parent[0] === "rules" && parent.length === 1 ? [...RULE_IDS] : knownKeysAt(parent);
  const kind = parent[0] === "rules" && parent.length === 1 ? "rule" : "key";
  const suggestion = closest(key, known);
  // No semicolons inside one problem: they separate problems when there are several.
  const hint = suggestion ? `, did you mean "${suggestion}"?` : ".";
  return `unknown ${kind}${hint} Known ${kind}s: ${known.join(", ")}`;
}

interface SchemaDef {
  type: string;
  innerType?: { _zod: { def: SchemaDef } };
  in?: { _zod: { def: SchemaDef } };
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
}

/** The keys the schema allows at `path`, found by walking the schema itself so that new sections need no list here. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let def: SchemaDef | undefined = (repoConfigSchema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  const unwrap = (d: SchemaDef | undefined): SchemaDef | undefined => {
    while (d && (d.innerType || d.in)) d = (d.innerType ?? d.in)!._zod.def;
    return d;
  };
  for (const segment of path) {
    def = unwrap(def);
    if (def?.type !== "object" || !def.shape || typeof segment !== "string" || !Object.hasOwn(def.shape, segment)) return [];
    def = def.shape[segment]!._zod.def;
  }
  def = unwrap(def);
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function describeExpected(expected: string): string {
  if (expected === "object") return "a mapping (key: value)";
  if (expected === "array") return "a list of glob strings";
  if (expected === "int") return "a whole number";
  return `a ${expected}`;
}

function describeBound(issue: Extract<Issue, { code: "too_small" | "too_big" }>): string {
  const limit = issue.code === "too_small" ? issue.minimum : issue.maximum;
  if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint") {
    if (issue.code === "too_small") {
      if (issue.inclusive) return `expected at least ${limit}`;
      return limit === 0 ? "expected a positive number" : `expected more than ${limit}`;
    }
    return `expected at most ${limit}`;
  }
  if (issue.origin === "string") return issue.code === "too_small" ? "expected a non-empty string" : `expected at most ${limit} characters`;
  return issue.code === "too_small" ? `expected at least ${limit} items` : `expected at most ${limit} items`;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "config";
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join("");
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const part of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/** Names the type of a value, with a short excerpt of scalars; never dumps a large value back. */
function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return String(value);
}

/** The known name within edit distance 2 of a typo, so `secrets:` points at `secret`. */
function closest(key: string, known: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of known) {
    const d = editDistance(key.toLowerCase().replaceAll("_", "-"), name.replaceAll("_", "-"));
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
