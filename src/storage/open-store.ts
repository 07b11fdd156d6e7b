import path from "node:path";
import { FileStore, assertFolderOrMissing } from "./file-store.js";
import { parseStoreUri } from "./parse-store-uri.js";
import type { Store } from "./store.js";

/** The embedded default: a file store under `.nbtrain/` in the working folder. */
export const DEFAULT_STORE_URI = "file://.nbtrain";

export interface OpenStoreOptions {
  /** Folder that relative `file://` paths resolve against (the CLI passes its cwd). */
  baseDir: string;
  /** Environment for credentials and endpoint overrides; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Opens the store a URI names. The S3 and Drive adapters (and their SDKs) are imported only when
 * their scheme is used, so a file-store run or a webhook cold start never loads them.
 * Throws `StoreError` with code `invalid-uri` before any I/O when the URI is malformed.
 */
export async function openStore(uri: string, options: OpenStoreOptions): Promise<Store> {
  const location = parseStoreUri(uri);
  const env = options.env ?? process.env;
  switch (location.kind) {
    case "file": {
      const root = path.resolve(options.baseDir, location.path);
      await assertFolderOrMissing(root);
      return new FileStore(root);
    }
    case "s3": {
      const { createS3Store } = await import("./s3-store.js");
      return createS3Store(location, env);
    }
    case "gdrive": {
      const { createDriveStore } = await import("./drive-store.js");
      return createDriveStore(location, env);
    }
  }
}
