const WS = "[ \\t\\n\\r]*";
const FLOAT_AFTER = `${WS}:${WS}-?[0-9]+[.eE]`;
/** Any integer-typed key nbformat knows, holding a float literal. */
const ANY_KEY = new RegExp(
  `"(?:nbformat|nbformat_minor|execution_count|prompt_number|level|orig_nbformat|orig_nbformat_minor)"${FLOAT_AFTER}`,
);
const EXECUTION_COUNT_KEY = '"execution_count"';
/** What makes the value after a key a float literal; sticky, so it is tried right after the key only. */
const FLOAT_VALUE = new RegExp(FLOAT_AFTER, "y");
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
  return integralCounts && hasFloatExecutionCount(text);
}

/**
 * `indexOf` finds the key (a member name always has its quotes) faster than a regex scan over
 * megabytes of base64 images, and then only its value is matched.
 */
function hasFloatExecutionCount(text: string): boolean {
  for (let at = text.indexOf(EXECUTION_COUNT_KEY); at >= 0; at = text.indexOf(EXECUTION_COUNT_KEY, at + EXECUTION_COUNT_KEY.length)) {
    FLOAT_VALUE.lastIndex = at + EXECUTION_COUNT_KEY.length;
    if (FLOAT_VALUE.test(text)) return true;
  }
  return false;
}
