import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import type { drive_v3 } from "@googleapis/drive";
import { locateDriveCredentials, parseDriveCredentials, type DriveCredentials } from "./drive-credentials.js";
import type { ExistingPermission, Grant } from "../review-copies/plan/grant.js";
import type { ReviewCopyDrive, ReviewCopyFile } from "../review-copies/plan/review-copy-drive.js";
import { ShareError } from "../review-copies/plan/share-error.js";
import { httpStatusOf, isDroppedConnection, isRetryableStatus } from "./transient-error.js";

const FOLDER = "application/vnd.google-apps.folder";
/** Drive opens files of this type in Colab on a double click. */
const COLAB_MIME = "application/vnd.google.colaboratory";
const NOTEBOOK_MIME = "application/x-ipynb+json";
const SCOPES = ["https://www.googleapis.com/auth/drive"];
const RATE_LIMIT_REASONS = /^(rateLimitExceeded|userRateLimitExceeded|sharingRateLimitExceeded|backendError)$/u;
const QUOTA_REASONS = /^(storageQuotaExceeded|quotaExceeded|dailyLimitExceeded|teamDriveFileLimitExceeded|numChildrenInNonRootLimitExceeded)$/u;

export interface GoogleReviewCopyDriveOptions {
  /** Attempts per request, the first included. Default 5. */
  attempts?: number;
  /** Waits between attempts; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Review copies through the Drive v3 API (`@googleapis/drive`). 429, 5xx and Drive's rate-limit
 * 403s are retried with exponential backoff (honouring Retry-After), a bounded number of times;
 * gaxios' own retry is off so that the bound holds. Anything else becomes a {@link ShareError}.
 */
export class GoogleReviewCopyDrive implements ReviewCopyDrive {
  private readonly attempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly drive: drive_v3.Drive,
    options: GoogleReviewCopyDriveOptions = {},
  ) {
    this.attempts = Math.max(1, options.attempts ?? 5);
    this.sleep = options.sleep ?? ((ms) => delay(ms));
  }

  async listCopies(q: string): Promise<ReviewCopyFile[]> {
    const copies: ReviewCopyFile[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await this.call("listing the review copies", () =>
        this.drive.files.list({
          q,
          fields: "nextPageToken, files(id, appProperties)",
          pageSize: 100,
          pageToken,
          spaces: "drive",
          supportsAllDrives: true,
          includeItemsFromAllDrives: true,
        }),
      );
      for (const file of data.files ?? []) if (file.id) copies.push({ id: file.id, appProperties: (file.appProperties ?? {}) as Record<string, string> });
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return copies;
  }

  async findFolder(parentId: string, name: string): Promise<string | null> {
    const { data } = await this.call(`looking up folder ${code(name)}`, () =>
      this.drive.files.list({
        q: `${quote(parentId)} in parents and name = ${quote(name)} and mimeType = '${FOLDER}' and trashed = false`,
        fields: "files(id)",
        pageSize: 10,
        spaces: "drive",
        supportsAllDrives: true,
        includeItemsFromAllDrives: true,
      }),
    );
    return data.files?.find((file) => file.id)?.id ?? null;
  }

  async createFolder(parentId: string, name: string): Promise<string> {
    const { data } = await this.call(`creating folder ${code(name)}`, () =>
      this.drive.files.create({ requestBody: { name, mimeType: FOLDER, parents: [parentId] }, fields: "id", supportsAllDrives: true }),
    );
    return requireId(data.id, `folder ${code(name)}`);
  }

  async createCopy(parentId: string, name: string, bytes: Uint8Array, appProperties: Record<string, string>): Promise<string> {
    const { data } = await this.call(`uploading ${code(name)}`, () =>
      this.drive.files.create({
        requestBody: { name, mimeType: COLAB_MIME, parents: [parentId], appProperties },
        media: { mimeType: NOTEBOOK_MIME, body: Readable.from([Buffer.from(bytes)]) },
        fields: "id",
        supportsAllDrives: true,
      }),
    );
    return requireId(data.id, `copy ${code(name)}`);
  }

  async updateCopy(fileId: string, bytes: Uint8Array, appProperties: Record<string, string>): Promise<void> {
    await this.call(`updating review copy ${code(fileId)}`, () =>
      this.drive.files.update({
        fileId,
        requestBody: { appProperties },
        media: { mimeType: NOTEBOOK_MIME, body: Readable.from([Buffer.from(bytes)]) },
        fields: "id",
        supportsAllDrives: true,
      }),
    );
  }

  async listPermissions(fileId: string): Promise<ExistingPermission[]> {
    const permissions: ExistingPermission[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await this.call(`listing the permissions of ${code(fileId)}`, () =>
        this.drive.permissions.list({
          fileId,
          fields: "nextPageToken, permissions(id, type, role, emailAddress, domain, permissionDetails(inherited))",
          pageSize: 100,
          pageToken,
          supportsAllDrives: true,
        }),
      );
      for (const p of data.permissions ?? []) {
        if (!p.id || !p.type || !p.role) continue;
        const inherited = (p.permissionDetails ?? []).length > 0 && (p.permissionDetails ?? []).every((detail) => detail.inherited === true);
        permissions.push({
          id: p.id,
          type: p.type,
          role: p.role,
          ...(p.emailAddress ? { emailAddress: p.emailAddress } : {}),
          ...(p.domain ? { domain: p.domain } : {}),
          ...(inherited ? { inherited } : {}),
        });
      }
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return permissions;
  }

  async createPermission(fileId: string, grant: Grant): Promise<void> {
    // Link-only for domain and anyone: the copy never shows up in anyone's search.
    const requestBody: drive_v3.Schema$Permission =
      grant.type === "user" ? { ...grant } : grant.type === "domain" ? { ...grant, allowFileDiscovery: false } : { ...grant, allowFileDiscovery: false };
    await this.call(`sharing ${code(fileId)}`, () =>
      this.drive.permissions.create({
        fileId,
        requestBody,
        fields: "id",
        supportsAllDrives: true,
        // The PR comment carries the link; an email per push would be noise. Drive allows the flag for users only.
        ...(grant.type === "user" ? { sendNotificationEmail: false } : {}),
      }),
    );
  }

  async deletePermission(fileId: string, permissionId: string): Promise<void> {
    try {
      await this.call(`removing a permission from ${code(fileId)}`, () => this.drive.permissions.delete({ fileId, permissionId, supportsAllDrives: true }));
    } catch (error) {
      if (error instanceof ShareError && httpStatusOf(error.cause) === 404) return;
      throw error;
    }
  }

  async trash(fileId: string): Promise<void> {
    await this.call(`trashing review copy ${code(fileId)}`, () => this.drive.files.update({ fileId, requestBody: { trashed: true }, fields: "id", supportsAllDrives: true }));
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        if (attempt < this.attempts && isTransient(error)) {
          await this.sleep(backoff(attempt, error));
          continue;
        }
        throw explain(error, what, attempt);
      }
    }
  }
}

/**
 * Builds the adapter from the deployment's Drive credentials (NBTRAIN_GDRIVE_CREDENTIALS, or
 * NBTRAIN_GDRIVE_CREDENTIALS_FILE / GOOGLE_APPLICATION_CREDENTIALS naming a file), the same ones
 * the Drive store uses. `@googleapis/drive` is loaded only now, when a repository turns sharing on.
 */
export async function openGoogleReviewCopyDrive(env: NodeJS.ProcessEnv, options: GoogleReviewCopyDriveOptions = {}): Promise<GoogleReviewCopyDrive> {
  let credentials: DriveCredentials;
  try {
    const found = locateDriveCredentials(env);
    const text = "text" in found ? found.text : await readFile(found.file, "utf8").catch(() => {
      throw new Error(`Cannot read the Drive credentials file named by ${found.source}. Check the path.`);
    });
    credentials = parseDriveCredentials(text, found.source);
  } catch (error) {
    throw new ShareError("credentials", `the app has no usable Google Drive credentials (${error instanceof Error ? error.message : String(error)})`);
  }
  return createGoogleReviewCopyDrive(credentials, options);
}

/** The adapter for parsed credentials: an OAuth client with a refresh token, or a service account. */
export async function createGoogleReviewCopyDrive(credentials: DriveCredentials, options: GoogleReviewCopyDriveOptions = {}): Promise<GoogleReviewCopyDrive> {
  const { auth, drive } = await import("@googleapis/drive");
  let client;
  if (credentials.type === "authorized_user") {
    client = new auth.OAuth2({ clientId: credentials.client_id, clientSecret: credentials.client_secret });
    client.setCredentials({ refresh_token: credentials.refresh_token });
  } else {
    client = new auth.JWT({ email: credentials.client_email, key: credentials.private_key, scopes: SCOPES });
  }
  // Retries are ours (bounded, injectable sleep); gaxios would otherwise retry GETs on its own.
  return new GoogleReviewCopyDrive(drive({ version: "v3", auth: client, retry: false }), options);
}

function requireId(id: string | null | undefined, what: string): string {
  if (!id) throw new ShareError("unavailable", `Drive created ${what} but returned no id; push again to retry.`);
  return id;
}

/** A name as inline code: it reaches the PR comment, where Markdown or HTML in a file name must not render. */
function code(name: string): string {
  return `\`${name.replaceAll("`", "'").replace(/[\r\n]/gu, " ")}\``;
}

/** Quotes a value for a Drive query, where `\` and `'` are escaped with a backslash. */
function quote(value: string): string {
  return `'${value.replace(/\\/gu, "\\\\").replace(/'/gu, "\\'")}'`;
}

/** Drive's `reason` for an error (`storageQuotaExceeded`, `rateLimitExceeded`, …), when it gave one. */
function reasonOf(error: unknown): string | undefined {
  const data = (error as { response?: { data?: unknown } } | undefined)?.response?.data as
    | { error?: { errors?: Array<{ reason?: unknown }>; details?: Array<{ reason?: unknown }> } | string }
    | undefined;
  if (!data || typeof data.error !== "object") return undefined;
  const reason = data.error.errors?.[0]?.reason ?? data.error.details?.[0]?.reason;
  return typeof reason === "string" ? reason : undefined;
}

function isTransient(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status !== undefined && isRetryableStatus(status)) return true;
  if (status === 403) return RATE_LIMIT_REASONS.test(reasonOf(error) ?? "");
  if (status !== undefined) return false;
  return isDroppedConnection(error);
}

function backoff(attempt: number, error: unknown): number {
  const headers = (error as { response?: { headers?: unknown } } | undefined)?.response?.headers;
  const retryAfter = headers instanceof Headers ? headers.get("retry-after") : (headers as Record<string, unknown> | undefined)?.["retry-after"];
  const seconds = typeof retryAfter === "string" && /^\d+$/u.test(retryAfter) ? Number(retryAfter) : undefined;
  if (seconds !== undefined) return Math.min(seconds, 60) * 1000;
  return Math.min(16_000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
}

function explain(error: unknown, what: string, attempts: number): ShareError {
  const status = httpStatusOf(error);
  const reason = reasonOf(error);
  const tail = reason ? ` (${reason})` : "";
  if (isTransient(error)) {
    return new ShareError("unavailable", `Google Drive kept failing while ${what}: HTTP ${status ?? "error"}${tail} after ${attempts} attempts. Push again, or comment \`/share\`, to retry.`, { cause: error });
  }
  if (status === 401 || /invalid_grant|unauthorized_client|invalid_client/u.test(error instanceof Error ? error.message : "")) {
    return new ShareError("credentials", `Google refused the app's Drive credentials while ${what}. The app's operator must renew the refresh token or key.`, { cause: error });
  }
  if (status === 403 && QUOTA_REASONS.test(reason ?? "")) {
    return new ShareError("quota", `the app's Google Drive is out of quota${tail} while ${what}. Free space in Drive, or ask the app's operator to raise the quota.`, { cause: error });
  }
  if (status === 403) {
    return new ShareError("permission", `Google Drive refused ${what}${tail}. Share \`share.drive_folder\` with the app's Google account as an editor, and check that your Workspace allows sharing with this audience.`, { cause: error });
  }
  if (status === 404) {
    return new ShareError("folder-missing", `Google Drive found no such file or folder while ${what}. Check that \`share.drive_folder\` in \`.github/nbtrain.yml\` names a folder that exists and is shared with the app's Google account.`, { cause: error });
  }
  return new ShareError("unavailable", `Google Drive failed while ${what}: HTTP ${status ?? "error"}${tail}.`, { cause: error });
}
