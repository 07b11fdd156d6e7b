import { StoreError } from "./store-error.js";

// C0 controls, DEL and C1 controls: invisible in logs and unsafe in file names.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_KEY_LENGTH = 1024;

function reject(key: string, why: string): never {
  throw new StoreError(
    "invalid-key",
    `Invalid store key ${JSON.stringify(key)}: ${why}. Use a relative path of "/"-separated names such as "checkpoints/epoch-3.pt".`,
  );
}

/**
 * Returns the canonical form of a store key (Unicode NFC) or throws a `StoreError` with code
 * `invalid-key`. A key is a relative path of non-empty `/`-separated segments: no `.` or `..`,
 * no leading `/`, no backslash, no drive letter, no control characters.
 */
export function normaliseKey(key: string): string {
  if (typeof key !== "string") reject(String(key), "a key must be a string");
  if (key.length === 0) reject(key, "it is empty");
  if (CONTROL.test(key)) reject(key, "it contains a control character");
  if (key.includes("\\")) reject(key, "it contains a backslash");
  if (key.startsWith("/")) reject(key, "it is an absolute path");
  if (/^[A-Za-z]:/.test(key)) reject(key, "it starts with a drive letter");
  const nfc = key.normalize("NFC");
  if (Buffer.byteLength(nfc) > MAX_KEY_LENGTH) reject(key, `it is longer than ${MAX_KEY_LENGTH} bytes`);
  for (const segment of nfc.split("/")) {
    if (segment === "") reject(key, "it has an empty segment (a leading, trailing or doubled /)");
    if (segment === "." || segment === "..") reject(key, `it has a "${segment}" segment`);
  }
  return nfc;
}

/**
 * Normalises a list prefix: "" (everything), a folder ending in `/`, or a partial key.
 * The same rules as `normaliseKey` apply to everything before the trailing `/`.
 */
export function normalisePrefix(prefix: string): string {
  if (prefix === "") return "";
  return prefix.endsWith("/") ? `${normaliseKey(prefix.slice(0, -1))}/` : normaliseKey(prefix);
}
