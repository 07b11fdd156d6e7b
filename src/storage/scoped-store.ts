import type { Readable } from "node:stream";
import { normaliseKey, normalisePrefix } from "./normalise-key.js";
import type { PutOptions, Store, StoredObject } from "./store.js";

/**
 * A view of `store` confined to `prefix` (such as `runs/<owner>/<repo>/<run-id>/`). Keys given to
 * it are relative to the prefix and validated on their own, so `../other-run/x` can never reach
 * past it; keys it returns are relative again.
 */
export function scopeStore(store: Store, prefix: string): Store {
  const root = normalisePrefix(prefix.endsWith("/") || prefix === "" ? prefix : `${prefix}/`);
  const full = (key: string) => root + normaliseKey(key);
  const strip = (object: StoredObject): StoredObject => ({ ...object, key: object.key.slice(root.length) });
  return {
    uri: scopedUri(store.uri, root),
    put: async (key: string, body: Readable | Uint8Array, options?: PutOptions) => strip(await store.put(full(key), body, options)),
    get: async (key: string) => store.get(full(key)),
    head: async (key: string) => {
      const object = await store.head(full(key));
      return object && strip(object);
    },
    list: async (sub: string) => (await store.list(root + normalisePrefix(sub))).map(strip),
    delete: async (key: string) => store.delete(full(key)),
    create: async (key: string, body: Uint8Array, options?: { contentType?: string }) => store.create(full(key), body, options),
  };
}

function scopedUri(uri: string, root: string): string {
  const at = uri.indexOf("?");
  const [base, query] = at === -1 ? [uri, ""] : [uri.slice(0, at), uri.slice(at)];
  return `${base.replace(/\/+$/, "")}/${root}${query}`;
}
