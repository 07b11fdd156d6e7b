import type { Store } from "../storage/store.js";

/** Reads a small JSON object from the store, or null when the key does not exist. */
export async function readStoreJson(store: Store, key: string): Promise<unknown | null> {
  if ((await store.head(key)) === null) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${key} in ${store.uri} is not valid JSON; it was damaged or written by something else. Delete it to start the run over.`, { cause: error });
  }
}
