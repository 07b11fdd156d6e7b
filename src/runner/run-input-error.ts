/** The run was refused before it touched the store: a bad spec, or an unreadable or invalid notebook. */
export class RunInputError extends Error {
  override readonly name = "RunInputError";
}
