const WS = "[ \\t\\n\\r]*";
const FLOAT_AFTER = `${WS}:${WS}-?[0-9]+[.eE]`;
/** Any integer-typed key nbformat knows, holding a float literal. */
const ANY_KEY = new RegExp(
  `"(?:nbformat|nbformat_minor|execution_count|prompt_number|level|orig_nbformat|orig_nbformat_minor)"${FLOAT_AFTER}`,
);
const EXECUTION_COUNT_KEY = '"execution_count"';
/** A key's number value up to its integer digits; sticky, so it is tried right after the key only. */
const NUMBER_VALUE = new RegExp(`${WS}:${WS}-?[0-9]+`, "y");
/**
 * The way Jupyter ends a file: the root object's last members are "nbformat" and "nbformat_minor"
 * as integer literals. In valid JSON nothing can be nested between them and the final brace, so
 * they are the root's keys, and being last they are the values both parsers keep.
 */
const INTEGER_VERSION_TAIL = new RegExp(
  `[{,]${WS}"nbformat"${WS}:${WS}[0-9]+${WS},${WS}"nbformat_minor"${WS}:${WS}[0-9]+${WS}\\}${WS}$`,
);

/**
 * A printable ASCII character written as a `\u` escape, which no Jupyter or Python writer does: a
 * key spelled that way (`"execution\u005fcount"`) is one the literal searches here cannot see.
 */
const ESCAPED_ASCII = /\\u00[2-7][0-9a-fA-F]/;

/**
 * Whether `text` (valid JSON) may hold a float literal such as `1.0` or `2e0` where nbformat wants
 * an integer. `JSON.parse` makes both `1.0` and `1` the number 1; Python keeps `1.0` a float, which
 * fails the schema. A false positive only costs a slower reparse. `integralCounts` is how many
 * execution counts parsed as integral numbers, the only ones that can be a hidden `1.0`.
 */
export function hasFloatIntegers(text: string, major: unknown, integralCounts: number): boolean {
  if (major !== 4 || !INTEGER_VERSION_TAIL.test(text.slice(-256))) return ANY_KEY.test(text) || ESCAPED_ASCII.test(text);
  // Scanning for execution counts is the costly part; skip it when every count is null.
  return integralCounts > 0 && hasFloatExecutionCount(text, integralCounts);
}

/**
 * `indexOf` finds the key (a member name always has its quotes) faster than a regex scan over
 * megabytes of base64 images, and then only its value is matched. Every integral count parsed has
 * its key written plainly in a Jupyter file, so the numbers found must be exactly as many: fewer
 * means a key spelled with escapes (`"execution\u005fcount"`) whose value went unseen, more a
 * repeated key or one outside cells; either way the exact reparse decides.
 */
function hasFloatExecutionCount(text: string, integralCounts: number): boolean {
  let found = 0;
  for (let at = text.indexOf(EXECUTION_COUNT_KEY); at >= 0; at = text.indexOf(EXECUTION_COUNT_KEY, at + EXECUTION_COUNT_KEY.length)) {
    NUMBER_VALUE.lastIndex = at + EXECUTION_COUNT_KEY.length;
    // `test`, not `exec`: thousands of keys, and no match array for each.
    if (!NUMBER_VALUE.test(text)) continue; // null, or the key inside some other value
    const next = text.charCodeAt(NUMBER_VALUE.lastIndex);
    if (next === 0x2e || next === 0x65 || next === 0x45) return true; // `.`, `e`, `E`: a float literal
    found++;
  }
  return found !== integralCounts;
}
