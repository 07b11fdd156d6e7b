import type { ExistingPermission, Grant } from "./grant.js";

/** A review copy as Drive lists it: its id and the properties that say whose it is. */
export interface ReviewCopyFile {
  id: string;
  appProperties: Record<string, string>;
}

/**
 * The Drive operations review copies need. The adapter retries what is worth retrying and throws
 * a {@link ShareError} for the rest; tests of the flow use the real adapter against nock.
 */
export interface ReviewCopyDrive {
  /** Every copy (not trashed) whose app properties match the Drive query `q`. */
  listCopies(q: string): Promise<ReviewCopyFile[]>;
  /** A child folder by name, or null. */
  findFolder(parentId: string, name: string): Promise<string | null>;
  createFolder(parentId: string, name: string): Promise<string>;
  /** A new file with the notebook's bytes as its content; returns its id. */
  createCopy(parentId: string, name: string, bytes: Uint8Array, appProperties: Record<string, string>): Promise<string>;
  /** A new revision of an existing copy, never a second file. */
  updateCopy(fileId: string, bytes: Uint8Array, appProperties: Record<string, string>): Promise<void>;
  listPermissions(fileId: string): Promise<ExistingPermission[]>;
  createPermission(fileId: string, grant: Grant): Promise<void>;
  /** Already gone counts as done. */
  deletePermission(fileId: string, permissionId: string): Promise<void>;
  trash(fileId: string): Promise<void>;
}
