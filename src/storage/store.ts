import type { Readable } from "node:stream";

/** What a store knows about one object. `sha256` is hex. */
export interface StoredObject {
  key: string;
  size: number;
  sha256: string;
}

export interface PutOptions {
  /** When given, the store verifies the upload against these and fails on a mismatch. */
  size?: number;
  sha256?: string;
  contentType?: string;
}

/** What a conditional `create` did: wrote the object, or found one already there. */
export type CreateOutcome = "created" | "exists";

/**
 * The checkpoint and artifact store port. Keys are relative, `/`-separated, normalised by
 * `normaliseKey`; every adapter confines them under its root prefix.
 */
export interface Store {
  /** The URI this store was opened from, without credentials. */
  readonly uri: string;
  put(key: string, body: Readable | Uint8Array, options?: PutOptions): Promise<StoredObject>;
  /** Streams the object; the stream errors if the bytes do not match the stored size and hash. */
  get(key: string): Promise<Readable>;
  /** Metadata of an object, or null when it does not exist. */
  head(key: string): Promise<StoredObject | null>;
  /** Every object whose key starts with `prefix` (a folder-style prefix ending in `/`, or ""). */
  list(prefix: string): Promise<StoredObject[]>;
  /**
   * The keys and sizes `list` would give, without hashes. `list` must read an object another tool
   * wrote (Colab, the web UI) to hash it; a caller that reads every object through `get` anyway,
   * which checks each as it streams, asks this instead and downloads each object once.
   * Adapters where hashes cost nothing leave it out.
   */
  listSizes?(prefix: string): Promise<Array<{ key: string; size: number }>>;
  delete(key: string): Promise<void>;
  /**
   * Writes `body` at `key` only if no object is there yet, as one conditional write of the store
   * itself: of any number of racing creates (from any process or machine), exactly one resolves
   * `created`, the others `exists`. Claims (a run id, a check run for a commit) are made with it;
   * a reader never sees a half-written object. Give each caller's body something unique (a
   * nonce): a create retried after a lost answer then recognises its own object as `created`.
   */
  create(key: string, body: Uint8Array, options?: { contentType?: string }): Promise<CreateOutcome>;
  /**
   * Optional: the Google Drive file id of the object at `key`, or null when it does not exist.
   * Only a Drive store has one; reports use it to open an executed notebook in Colab.
   */
  driveFileId?(key: string): Promise<string | null>;
}
