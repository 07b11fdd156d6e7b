/**
 * What Python's `repr(float)` prints, which is how `json.dumps` writes a float: the shortest digits
 * that read back to the same double (as JS), but in fixed notation only while the decimal point sits
 * within 16 digits of the first digit and no more than 4 places behind it (`0.0001`, `1e-05`,
 * `1000000000000000.0`, `1e+16`), always with a `.0` or an exponent, and a two-digit exponent.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exponentText] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  // Python's decpt: the decimal point sits after this many of the digits.
  const decpt = Number(exponentText) + 1;
  let body: string;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) body = `0.${"0".repeat(-decpt)}${digits}`;
    else if (decpt >= digits.length) body = `${digits}${"0".repeat(decpt - digits.length)}.0`;
    else body = `${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  } else {
    const exponent = decpt - 1;
    const lead = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    body = `${lead}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return x < 0 ? `-${body}` : body;
}
