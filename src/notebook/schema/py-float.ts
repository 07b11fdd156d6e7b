/**
 * A JSON number literal written as a float (`1.0`, `1e2`) whose value is integral.
 *
 * Python's `json.loads` keeps `1.0` a float, and nbformat's schema rejects a float where it wants an
 * integer; `JSON.parse` turns both into the same JS number. The validator reparses with these boxes
 * when it must tell them apart.
 */
export class PyFloat {
  constructor(readonly value: number) {}
}
