import { z } from "zod";

// GitHub logins: alphanumerics and single hyphens, at most 39 characters.
const login = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/u, "expected a GitHub login")
  .transform((value) => value.toLowerCase());

const email = z.email("expected an email address").max(254);

// A Drive id is URL-safe base64; anything else would be a mistake, or an attempt to escape a query.
const driveId = z.string().regex(/^[A-Za-z0-9_-]{10,200}$/u, "expected a Drive folder id (the last part of the folder's URL)");

const domain = z
  .string()
  .max(253)
  .regex(/^(?!-)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+$/u, "expected a domain such as example.com")
  .transform((value) => value.toLowerCase());

/**
 * Who gets access to a pull request's review copies:
 * - `reviewers`: the PR's requested reviewers (and those who already reviewed), through `reviewer_emails`;
 * - `{ emails: [...] }`: a fixed list;
 * - `{ domain: example.com }`: everyone in a Google Workspace domain;
 * - `anyone`: anyone with the link.
 */
export const audienceSchema = z.union([
  z.literal("reviewers"),
  z.literal("anyone"),
  z.object({ emails: z.array(email).min(1).max(100) }).strict(),
  z.object({ domain }).strict(),
]);

/**
 * `share:` in `.github/nbtrain.yml`: review copies of changed notebooks in Google Drive, which
 * open in Colab without GitHub authorisation. Off unless `drive_folder` is set; `enabled: false`
 * turns it off again (for example over an organisation default). An empty section parses, so the
 * repo config can default it with `.prefault({})`.
 */
export const shareConfigSchema = z
  .object({
    enabled: z.boolean().optional(),
    /** The Drive folder the copies go into, shared with the bot's account. */
    drive_folder: driveId.optional(),
    audience: audienceSchema.default("reviewers"),
    role: z.enum(["reader", "commenter"]).default("reader"),
    /** GitHub login → Google account email, for `audience: reviewers`. Logins match case-insensitively. */
    reviewer_emails: z.record(login, email).default({}),
    /** What happens to the copies when the PR closes or merges; their permissions are removed either way. */
    on_close: z.enum(["trash", "keep"]).default("trash"),
  })
  .strict()
  .refine((value) => value.enabled !== true || value.drive_folder !== undefined, {
    message: "share.enabled is true but share.drive_folder is not set; set it to the id of a Drive folder shared with the app's account",
    path: ["drive_folder"],
  });

export type ShareConfig = z.infer<typeof shareConfigSchema>;
export type Audience = z.infer<typeof audienceSchema>;

/** The sharing settings in force, or null when review copies are off. */
export type ShareSettings = Omit<ShareConfig, "enabled" | "drive_folder"> & { drive_folder: string };

/** Review copies are on when a folder is set and `enabled` is not false. */
export function shareSettingsOf(config: ShareConfig): ShareSettings | null {
  if (config.enabled === false || config.drive_folder === undefined) return null;
  const { enabled: _enabled, drive_folder, ...rest } = config;
  return { ...rest, drive_folder };
}
