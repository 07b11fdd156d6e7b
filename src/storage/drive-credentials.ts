import { z } from "zod";
import { StoreError } from "./store-error.js";

const AuthorizedUser = z.object({
  type: z.literal("authorized_user"),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  refresh_token: z.string().min(1),
});

const ServiceAccount = z.object({
  type: z.literal("service_account"),
  client_email: z.string().min(3).includes("@"),
  private_key: z.string().includes("PRIVATE KEY"),
  private_key_id: z.string().optional(),
});

const Credentials = z.discriminatedUnion("type", [AuthorizedUser, ServiceAccount]);

/** Google credentials for Drive: an OAuth refresh token or a service-account key. */
export type DriveCredentials = z.infer<typeof Credentials>;

const HELP =
  "Set NBTRAIN_GDRIVE_CREDENTIALS to the JSON of an OAuth client with a refresh token " +
  '({"type":"authorized_user","client_id":…,"client_secret":…,"refresh_token":…}) or of a service-account key, ' +
  "or NBTRAIN_GDRIVE_CREDENTIALS_FILE / GOOGLE_APPLICATION_CREDENTIALS to a file holding it.";

/**
 * Parses Drive credentials from JSON text. Errors name the fields that are wrong, never their
 * values, so a secret cannot leak into a log.
 */
export function parseDriveCredentials(text: string, source: string): DriveCredentials {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StoreError("credentials", `The Drive credentials in ${source} are not JSON. ${HELP}`);
  }
  const result = Credentials.safeParse(json);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((issue) => issue.path.join(".") || "type"))].join(", ");
    throw new StoreError("credentials", `The Drive credentials in ${source} are incomplete or of an unknown type (check: ${fields}). ${HELP}`);
  }
  return result.data;
}

/** Where the credentials come from, in order: inline JSON, then a file path. */
export function locateDriveCredentials(env: NodeJS.ProcessEnv): { text: string; source: string } | { file: string; source: string } {
  if (env.NBTRAIN_GDRIVE_CREDENTIALS) return { text: env.NBTRAIN_GDRIVE_CREDENTIALS, source: "NBTRAIN_GDRIVE_CREDENTIALS" };
  if (env.NBTRAIN_GDRIVE_CREDENTIALS_FILE) return { file: env.NBTRAIN_GDRIVE_CREDENTIALS_FILE, source: "NBTRAIN_GDRIVE_CREDENTIALS_FILE" };
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return { file: env.GOOGLE_APPLICATION_CREDENTIALS, source: "GOOGLE_APPLICATION_CREDENTIALS" };
  throw new StoreError("credentials", `No Drive credentials found. ${HELP}`);
}
