import { excerpt } from "./excerpt.js";
import { isScalar, parseDocument } from "yaml";
import type { ParameterValue } from "./train-command.js";

/**
 * Reads a `name=value` value as a YAML 1.2 core-schema scalar, as papermill's `-y` does:
 * `0.01` is a number, `true` a boolean, `null` null, `"123"` the string "123". Collections,
 * aliases, custom tags and non-finite numbers are refused because parameters travel as JSON.
 */
export function parseParameterValue(source: string): { value: ParameterValue } | { error: string } {
  if (source.trim() === "") {
    return { error: 'the value is empty: write name=null for None or name="" for an empty string.' };
  }
  const doc = parseDocument(source, { schema: "core", prettyErrors: false, uniqueKeys: true });
  const fix = 'Quote it (name="…") to pass it as a string.';
  if (doc.errors.length > 0 || doc.warnings.length > 0) {
    return { error: `\`${excerpt(source)}\` is not a valid YAML scalar. ${fix}` };
  }
  const node = doc.contents;
  if (node === null) return { value: null };
  if (!isScalar(node)) {
    return { error: `\`${excerpt(source)}\` is a YAML collection or alias; only scalars are accepted. ${fix}` };
  }
  if (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") {
    // `x=|` is a multi-line block scalar with no lines: surely not what a one-line command meant.
    return { error: `\`${excerpt(source)}\` starts a multi-line YAML block, which a one-line command cannot hold. ${fix}` };
  }
  const value: unknown = node.value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return { error: `\`${excerpt(source)}\` is not a finite number, which JSON cannot carry.` };
    return { value };
  }
  if (typeof value === "string" || typeof value === "boolean" || value === null) return { value };
  return { error: `\`${excerpt(source)}\` is not a string, number, boolean or null. ${fix}` };
}
