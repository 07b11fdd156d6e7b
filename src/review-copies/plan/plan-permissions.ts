import type { ExistingPermission, Grant } from "./grant.js";

export interface PermissionPlan {
  create: Grant[];
  /** Permission ids to delete. */
  remove: string[];
}

/**
 * What to change so a copy carries exactly `wanted`. The owner's permission and those inherited
 * from a folder are left alone; any other permission on the copy is the bot's to manage, so one
 * not wanted (a removed reviewer, an old audience) goes. A role change is a removal and a creation.
 */
export function planPermissions(existing: readonly ExistingPermission[], wanted: readonly Grant[]): PermissionPlan {
  const managed = existing.filter((p) => p.role !== "owner" && p.inherited !== true);
  const keep = new Set<string>();
  const create: Grant[] = [];
  for (const grant of wanted) {
    const match = managed.find((p) => !keep.has(p.id) && sameTarget(p, grant) && p.role === grant.role);
    if (match) keep.add(match.id);
    else create.push(grant);
  }
  return { create, remove: managed.filter((p) => !keep.has(p.id)).map((p) => p.id) };
}

function sameTarget(permission: ExistingPermission, grant: Grant): boolean {
  if (permission.type !== grant.type) return false;
  if (grant.type === "user") return permission.emailAddress?.toLowerCase() === grant.emailAddress;
  if (grant.type === "domain") return permission.domain?.toLowerCase() === grant.domain;
  return true;
}
