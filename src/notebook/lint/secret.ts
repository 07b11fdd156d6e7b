import type { Finding, JsonPath } from "../finding.js";
import type { LintContext, LintRule } from "./lint-rule.js";
import { isObject, joinText, type CellView, type OutputView } from "./notebook-view.js";

interface SecretKind {
  name: string;
  /** Global regex; the whole match is the secret unless group 1 captures it. */
  pattern: RegExp;
  /** The public, fixed part of the format, which is safe to show (e.g. `ghp_`). */
  shown: (secret: string) => string;
  /**
   * Literals of which every match holds one (a case-insensitive regex when no literal will do):
   * `includes` rules a kind out far faster than its pattern, which starts with a lookbehind.
   */
  anchors: readonly string[] | RegExp;
}

const fixed = (prefixLength: number) => (secret: string) => secret.slice(0, prefixLength);

// Lookarounds stand in for word boundaries that also treat `-`, `_`, `/`, `+` as part of a token,
// so that a run inside a longer base64 blob never matches.
const KINDS: SecretKind[] = [
  { name: "AWS access key id", pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g, shown: fixed(4), anchors: ["AKIA", "ASIA", "ABIA", "ACCA"] },
  {
    name: "AWS secret access key",
    pattern: /(?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    shown: () => "",
    anchors: /secret/i,
  },
  { name: "GitHub token", pattern: /(?<![A-Za-z0-9_])(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g, shown: fixed(4), anchors: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] },
  { name: "GitHub fine-grained token", pattern: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9_])/g, shown: fixed(11), anchors: ["github_pat_"] },
  { name: "GitLab token", pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])/g, shown: fixed(6), anchors: ["glpat-"] },
  { name: "Google API key", pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g, shown: fixed(4), anchors: ["AIza"] },
  { name: "Google OAuth client secret", pattern: /(?<![A-Za-z0-9_-])GOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/g, shown: fixed(7), anchors: ["GOCSPX-"] },
  {
    // A header alone is documentation; a real block has key material after it (maybe after PEM headers).
    name: "private key",
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\s|\\[nr])+(?:[A-Za-z-]+: [^\n\\]*(?:\s|\\[nr])+)*[A-Za-z0-9+/]{40,}/g,
    shown: (secret) => secret.slice(0, secret.indexOf("-----", 5) + 5),
    anchors: ["PRIVATE KEY"],
  },
  { name: "Slack token", pattern: /(?<![A-Za-z0-9])xox[abprs]-[0-9]{6,}-[0-9A-Za-z-]{10,}(?![A-Za-z0-9-])/g, shown: fixed(5), anchors: ["xox"] },
  {
    name: "Slack webhook URL",
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/[A-Za-z0-9]{20,}/g,
    shown: fixed(34),
    anchors: ["https://hooks.slack.com/services/T"],
  },
  { name: "Anthropic API key", pattern: /(?<![A-Za-z0-9_-])sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}(?![A-Za-z0-9_-])/g, shown: fixed(7), anchors: ["sk-ant-"] },
  {
    name: "OpenAI API key",
    pattern: /(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{48})(?![A-Za-z0-9_-])/g,
    shown: (secret) => /^sk-(?:proj|svcacct|admin)-/.exec(secret)?.[0] ?? "sk-",
    anchors: ["sk-"],
  },
  { name: "Hugging Face token", pattern: /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{34}(?![A-Za-z0-9_])/g, shown: fixed(3), anchors: ["hf_"] },
  { name: "Stripe live key", pattern: /(?<![A-Za-z0-9_])(?:sk|rk)_live_[0-9A-Za-z]{24,}(?![A-Za-z0-9_])/g, shown: fixed(8), anchors: ["_live_"] },
  { name: "npm token", pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g, shown: fixed(4), anchors: ["npm_"] },
];

// One cheap pass decides whether a string needs the detailed patterns at all. Alternations that
// start with common lowercase letters (`sk-`, `hf_`, `xox`) are slow to search, so the gate looks
// instead for what those tokens share after their prefix: a `-` or `_`, then a long alphanumeric
// run, or, for bodies that `-` and `_` may break into short runs, what follows the `-`: the
// OpenAI and Anthropic kinds (`sk-proj-`, `sk-ant-`…), Slack's `-<digits>-`. The rest are
// uppercase anchors and literals. One regex is much faster than several. Every pattern's match
// must pass the gate; a test holds each kind to that with bodies of short runs.
const GATE = /[-_](?:[A-Za-z0-9]{16}|(?:proj|svcacct|admin|ant)-|[0-9]{6,}-)|A(?:KIA|SIA|BIA|CCA|Iza)|PRIVATE KEY|GOCSPX-|[Ss]ecret|SECRET|glpat-|hooks\.slack\.com/;

function mayHoldSecret(text: string): boolean {
  return GATE.test(text);
}

/**
 * Whether the gate matches a value as `joinText` would join it, without joining: none of the
 * gate's matches holds a newline, so none crosses the end of a line that ends in one. Lines that
 * do not end in one (rare) are joined and tested as a whole. One indexed loop does both, as the
 * rules' loops are indexed: this runs once per process, unoptimized, where each step of a
 * `for...of` allocates an iterator result.
 */
function valueMayHoldSecret(value: unknown): boolean {
  if (typeof value === "string") return mayHoldSecret(value);
  if (!Array.isArray(value)) return false;
  let previous: string | null = null;
  for (let k = 0; k < value.length; k++) {
    const part: unknown = value[k];
    if (typeof part !== "string") continue;
    if (previous !== null && previous.charCodeAt(previous.length - 1) !== 0x0a) return mayHoldSecret(joinText(value) as string);
    // A match within one line is a match of the joined text too.
    if (mayHoldSecret(part)) return true;
    previous = part;
  }
  return false;
}

const PLACEHOLDER = /example|xxxx|your|dummy|fake|placeholder|redacted|sample|test|0123456789|1234567890|abcdef/i;

/** Documentation values: an obvious marker word, or too few distinct characters to be random. */
function isPlaceholder(secret: string): boolean {
  if (PLACEHOLDER.test(secret)) return true;
  return new Set(secret).size < Math.min(10, secret.length / 2);
}

type Where = "source" | "output";

/** The detailed patterns over one string that passed the gate; `path` is only built on a hit. */
function scanText(text: string, path: () => JsonPath, where: Where, findings: Finding[]): void {
  const reported = new Set<string>();
  for (const kind of KINDS) {
    if (!hasAnchor(text, kind.anchors)) continue;
    kind.pattern.lastIndex = 0;
    const lineOf = lineCounter(text);
    for (let match = kind.pattern.exec(text); match; match = kind.pattern.exec(text)) {
      const secret = match[1] ?? match[0];
      if (isPlaceholder(kind.name === "private key" ? secret.slice(-40) : secret)) continue;
      const lineInValue = lineOf(match.index + match[0].length - secret.length);
      const key = `${kind.name}:${lineInValue}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const shown = kind.shown(secret);
      const redacted =
        kind.name === "private key" ? `${shown} block` : shown === "" ? `${secret.length} chars` : `${shown}…(${secret.length} chars)`;
      findings.push({
        rule: "secret",
        severity: "error",
        message:
          `Possible ${kind.name} (${redacted}) in ${where === "source" ? "this cell's source" : "an output of this cell"}. ` +
          "Revoke it now, then remove it from the notebook and from the git history; " +
          "load it at run time from an environment variable or Colab's Secrets (google.colab.userdata) instead.",
        path: path(),
        lineInValue,
      });
    }
  }
}

function hasAnchor(text: string, anchors: readonly string[] | RegExp): boolean {
  if (!Array.isArray(anchors)) return (anchors as RegExp).test(text);
  for (let k = 0; k < anchors.length; k++) if (text.includes(anchors[k] as string)) return true;
  return false;
}

/** Whether a mime type holds text worth reading; images and other payloads are base64 noise. */
function isTextual(mime: string): boolean {
  return mime.startsWith("text/") || mime === "application/javascript";
}

// v3 keeps representations under short keys next to `output_type`.
const V3_TEXT_KEYS = ["text", "html", "markdown", "latex", "javascript"];

/**
 * Scans every source, and the textual parts of every output. Only a value that passes the gate
 * gets a function building its path (a closure per value would be most of what this allocates).
 */
function scanNotebook(context: LintContext, findings: Finding[]): void {
  const cells = context.notebook.cells;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as CellView;
    const source = cell.source;
    // The joined source is shared with other rules, and one test of it is cheaper than one per line.
    if (source && mayHoldSecret(source.text)) scanText(source.text, () => source.path, "source", findings);
    for (let o = 0; o < cell.outputs.length; o++) scanOutput(cell.outputs[o] as OutputView, findings);
  }
}

function scanOutput(output: OutputView, findings: Finding[]): void {
  const value = output.value;
  if (output.type === "stream" && valueMayHoldSecret(value.text)) scanText(joinText(value.text) as string, () => [...output.path, "text"], "output", findings);
  if (typeof value.evalue === "string" && mayHoldSecret(value.evalue)) scanText(value.evalue, () => [...output.path, "evalue"], "output", findings);
  if (Array.isArray(value.traceback)) {
    value.traceback.forEach((line, t) => {
      if (valueMayHoldSecret(line)) scanText(joinText(line) as string, () => [...output.path, "traceback", t], "output", findings);
    });
  }
  const data = value.data;
  if (isObject(data)) {
    for (const mime in data) {
      const entry = data[mime];
      const text = isTextual(mime) ? entry : mime === "application/json" && isObject(entry) ? stringify(entry) : null;
      if (valueMayHoldSecret(text)) scanText(joinText(text) as string, () => [...output.path, "data", mime], "output", findings);
    }
  }
  if (output.type === "pyout" || output.type === "display_data") {
    for (let k = 0; k < V3_TEXT_KEYS.length; k++) {
      const key = V3_TEXT_KEYS[k] as string;
      if (key in value && valueMayHoldSecret(value[key])) scanText(joinText(value[key]) as string, () => [...output.path, key], "output", findings);
    }
  }
}

function stringify(value: unknown): string | null {
  try {
    return JSON.stringify(value);
  } catch {
    return null;
  }
}

/** 0-based line of an offset; offsets must not decrease, so a text with many hits is counted once. */
function lineCounter(text: string): (offset: number) => number {
  let line = 0;
  let next = text.indexOf("\n");
  return (offset) => {
    while (next >= 0 && next < offset) {
      line++;
      next = text.indexOf("\n", next + 1);
    }
    return line;
  };
}

/** Flags credentials in sources and outputs, naming the kind and length but never the value. */
export const secretRule: LintRule = {
  id: "secret",
  defaultSeverity: "error",
  summary: "Credentials (cloud keys, API tokens, private keys) in sources or outputs",
  check(context) {
    const findings: Finding[] = [];
    scanNotebook(context, findings);
    return findings;
  },
};
