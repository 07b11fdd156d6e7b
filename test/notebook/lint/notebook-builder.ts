import { DEFAULT_TEST_LIMITS } from "./test-limits.js";
import type { Limits } from "../../../src/config/repo-config.js";
import type { Finding } from "../../../src/notebook/finding.js";
import type { LintRule } from "../../../src/notebook/lint/lint-rule.js";
import { viewNotebook } from "../../../src/notebook/lint/notebook-view.js";

type Json = Record<string, unknown>;

/** Splits source the way nbformat writes it: one string per line, each keeping its "\n". */
export function lines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

export function codeCell(source: string | string[], extra: Json = {}): Json {
  return { cell_type: "code", execution_count: null, metadata: {}, outputs: [], source, ...extra };
}

export function markdownCell(source: string | string[], extra: Json = {}): Json {
  return { cell_type: "markdown", metadata: {}, source, ...extra };
}

export function notebook(cells: Json[], metadata: Json = { kernelspec: { name: "python3", display_name: "Python 3" } }): Json {
  return { nbformat: 4, nbformat_minor: 5, metadata, cells };
}

/** Runs one rule the way lintNotebook does. */
export function runRule(rule: LintRule, value: Json, options: { limits?: Partial<Limits>; byteLength?: number } = {}): Finding[] {
  return rule.check({
    notebook: viewNotebook(value),
    limits: { ...DEFAULT_TEST_LIMITS, ...options.limits },
    byteLength: options.byteLength ?? 1000,
  });
}

/**
 * A deterministic random-looking token body. Test credentials are assembled at run time so that
 * no token-shaped string sits in the repository for secret scanners to trip on.
 */
export function tokenBody(length: number, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", seed = 7): string {
  let state = seed;
  let out = "";
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out += alphabet[Math.floor(state / 65536) % alphabet.length];
  }
  return out;
}
