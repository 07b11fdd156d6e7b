/** Drive roles a review copy can be shared with; never writer, so the copy stays the PR's. */
export type ShareRole = "reader" | "commenter";

/** One permission the copies should carry. */
export type Grant =
  | { type: "user"; emailAddress: string; role: ShareRole }
  | { type: "domain"; domain: string; role: ShareRole }
  | { type: "anyone"; role: ShareRole };

/** A permission as Drive lists it on a file. */
export interface ExistingPermission {
  id: string;
  type: string;
  role: string;
  emailAddress?: string;
  domain?: string;
  /** True when the permission comes from a parent folder; the bot never touches those. */
  inherited?: boolean;
}
