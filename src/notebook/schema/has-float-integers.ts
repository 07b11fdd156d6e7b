const WS = "[ \\t\\n\\r]*";
const FLOAT_AFTER = `${WS}:${WS}-?[0-9]+[.eE]`;
/** Any integer-typed key nbformat knows, holding a float literal. */
const ANY_KEY = new RegExp(
  `"(?:nbformat|nbformat_minor|execution_count|prompt_number|level|orig_nbformat|orig_nbformat_minor)"${FLOAT_AFTER}`,
);
/** A regex that starts with a long literal is much faster: V8 skips ahead with Boyer-Moore. */
const EXECUTION_COUNT = new RegExp(`execution_count"${FLOAT_AFTER}`);
/**
 * The way Jupyter ends a file: the root object's last members are "nbformat" and "nbformat_minor"
 * as integer literals. In valid JSON nothing can be nested between them and the final brace, so
 * they are the root's keys, and being last they are the values both parsers keep.
 */
const INTEGER_VERSION_TAIL = new RegExp(
  `[{,]${WS}"nbformat"${WS}:${WS}[0-9]+${WS},${WS}"nbformat_minor"${WS}:${WS}[0-9]+${WS}\\}${WS}$`,
);

/**
 * Whether `text` (valid JSON) may hold a float literal such as `1.0` or `2e0` where nbformat wants
 * an integer. `JSON.parse` makes both `1.0` and `1` the number 1; Python keeps `1.0` a float, which
 * fails the schema. A false positive only costs a slower reparse. `integralCounts` says whether
 * any execution count parsed as an integral number, the only way one can be a hidden `1.0`.
 */
export function hasFloatIntegers(text: string, major: unknown, integralCounts: boolean): boolean {
  if (major !== 4) return ANY_KEY.test(text);
  if (!INTEGER_VERSION_TAIL.test(text.slice(-256))) return ANY_KEY.test(text);
  // Scanning for execution counts is the costly part; skip it when every count is null.
  return integralCounts && EXECUTION_COUNT.test(text);
}
