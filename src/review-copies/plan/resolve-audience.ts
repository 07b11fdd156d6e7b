import type { Audience, ShareSettings } from "../../config/share-config.js";
import type { Grant } from "./grant.js";

export interface ResolvedAudience {
  grants: Grant[];
  /** Reviewers with no email in `share.reviewer_emails`; they get no access and the comment says so. */
  unmapped: string[];
}

/**
 * The permissions a PR's copies should carry. For `reviewers`, `logins` are the PR's reviewers,
 * mapped through the config's login → email map (case-insensitive logins, deduplicated emails).
 */
export function resolveAudience(settings: Pick<ShareSettings, "audience" | "role" | "reviewer_emails">, logins: readonly string[]): ResolvedAudience {
  const role = settings.role;
  const audience: Audience = settings.audience;
  if (audience === "anyone") return { grants: [{ type: "anyone", role }], unmapped: [] };
  if (typeof audience === "object" && "domain" in audience) return { grants: [{ type: "domain", domain: audience.domain, role }], unmapped: [] };
  if (typeof audience === "object") return { grants: users(audience.emails, role), unmapped: [] };

  const emails: string[] = [];
  const unmapped: string[] = [];
  for (const login of new Set(logins.map((l) => l.toLowerCase()))) {
    const email = Object.hasOwn(settings.reviewer_emails, login) ? settings.reviewer_emails[login] : undefined;
    if (email) emails.push(email);
    else unmapped.push(login);
  }
  return { grants: users(emails, role), unmapped: unmapped.sort() };
}

function users(emails: readonly string[], role: Grant["role"]): Grant[] {
  return [...new Set(emails.map((e) => e.toLowerCase()))].sort().map((emailAddress) => ({ type: "user", emailAddress, role }));
}
