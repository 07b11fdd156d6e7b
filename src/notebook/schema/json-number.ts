/**
 * A JSON number kept as its source text, with whether Python's `json.loads` makes it a float.
 *
 * Rewriting a notebook must give back what Python would write: an int of any size digit for digit,
 * `1.0` still a float, and a float in Python's `repr`. A JS number cannot carry any of that.
 */
export class JsonNumber {
  constructor(
    readonly text: string,
    readonly isFloat: boolean,
  ) {}
}
