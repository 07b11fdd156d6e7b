import { randomUUID, createHash } from "node:crypto";
import { Readable, pipeline } from "node:stream";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
  AbortMultipartUploadCommand,
  type GetObjectCommandOutput,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { IntegrityStream } from "./integrity-stream.js";
import { createS3RetryStrategy } from "./s3-retry-strategy.js";
import { normaliseKey, normalisePrefix } from "./normalise-key.js";
import type { StoreLocation } from "./parse-store-uri.js";
import type { CreateOutcome, PutOptions, Store, StoredObject } from "./store.js";
import { StoreError } from "./store-error.js";
import { mapWithConcurrency } from "../util/map-with-concurrency.js";
import { retryTransient, type RetryPolicy } from "./retry-transient.js";
import { resumeDownload } from "./resume-download.js";
import { httpStatusOf, isDroppedConnection, isRetryableStatus } from "./transient-error.js";

/** Staging area for puts whose hash is known only at the end; never listed. */
const TMP_DIR = ".nbtrain-tmp";
const MIB = 1024 * 1024;
const MAX_COPY = 5 * 1024 * MIB; // CopyObject's limit; beyond it the copy goes part by part
const COPY_PART = 512 * MIB;
const HEAD_CONCURRENCY = 8;
// Whole-operation retries, on top of the SDK's own per-request ones.
const BACKOFF = { baseMs: 50, capMs: 2000 };

export interface S3StoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing `/` ("" for the whole bucket). */
  prefix: string;
  /** Bytes per multipart part (at least 5 MiB). Memory stays within about partSize × queueSize. */
  partSize?: number;
  /** Parts uploaded in parallel. */
  queueSize?: number;
  /** Tries for a whole operation (a ranged re-get, a head, a list page) beyond the SDK's own retries. */
  attempts?: number;
  /** Shown as `uri`; defaults to `s3://bucket/prefix`. */
  uri?: string;
}

interface ErrorShape {
  name?: string;
  code?: string;
  $retryable?: unknown;
}

function isNotFound(error: unknown): boolean {
  const e = error as ErrorShape | undefined;
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || httpStatusOf(error) === 404;
}

/** Errors worth another whole-operation try once the SDK's own retries are spent. */
function isTransient(error: unknown): boolean {
  const e = error as ErrorShape | undefined;
  const status = httpStatusOf(error);
  if (status !== undefined && isRetryableStatus(status)) return true;
  if (e?.$retryable) return true;
  const text = `${e?.name ?? ""} ${e?.code ?? ""} ${(error as Error | undefined)?.message ?? ""}`;
  // Besides a dropped connection: the SDK's throttling and timeout error names, a refused or aborted request.
  return isDroppedConnection(error) || /SlowDown|Throttl|Timeout|ECONNREFUSED|aborted/i.test(text);
}

/** Turns SDK errors that need the user's action into clear `StoreError`s; never includes secrets. */
function explain(error: unknown, where: string): unknown {
  const name = (error as ErrorShape | undefined)?.name ?? "";
  if (name === "NoSuchBucket") {
    return new StoreError("not-found", `${where}: the bucket does not exist. Create it or fix the store URI.`, { cause: error });
  }
  if (/CredentialsProviderError|InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|AccessDenied/.test(name) || httpStatusOf(error) === 403) {
    return new StoreError(
      "credentials",
      `${where}: no usable AWS credentials, or S3 refused them (${name || "403"}). Check AWS_PROFILE / AWS_ACCESS_KEY_ID, the job or instance role, and the bucket policy.`,
      { cause: error },
    );
  }
  if (!(error instanceof StoreError) && isTransient(error)) {
    // Retries are spent: say which object and store, and that what was synced before is safe.
    const detail = `${name || "network error"}: ${(error as Error | undefined)?.message ?? String(error)}`.slice(0, 300);
    return new StoreError(
      "unavailable",
      `${where}: the store did not answer after retries (${detail}). Objects written before are intact; run again with the same run id to resume once the store is reachable.`,
      { cause: error },
    );
  }
  return error;
}

/**
 * A store in an S3 bucket (or any S3-compatible server). Puts go through lib-storage's multipart
 * upload, which only becomes visible on CompleteMultipartUpload, so a failed put never leaves an
 * object. The object's sha256 is kept in `x-amz-meta-sha256` and checked on every get.
 */
export class S3Store implements Store {
  readonly uri: string;
  /** The SDK client, exposed for instrumentation (the benchmark times CompleteMultipartUpload). */
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly attempts: number;
  private readonly retryPolicy: RetryPolicy;

  constructor(options: S3StoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix === "" ? "" : `${normaliseKey(options.prefix)}/`;
    this.partSize = Math.max(options.partSize ?? 8 * MIB, 5 * MIB);
    this.queueSize = Math.max(options.queueSize ?? 2, 1);
    this.attempts = Math.max(options.attempts ?? 5, 1);
    this.retryPolicy = { attempts: this.attempts, isTransient, ...BACKOFF };
    this.uri = options.uri ?? `s3://${this.bucket}/${this.prefix}`;
  }

  async put(key: string, body: Readable | Uint8Array, options: PutOptions = {}): Promise<StoredObject> {
    const k = this.checkKey(key);
    if (body instanceof Uint8Array) {
      // Bytes can be hashed up front and re-sent, so the whole put may be retried.
      const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      if ((options.size !== undefined && options.size !== bytes.length) || (options.sha256 !== undefined && options.sha256 !== sha256)) {
        throw new StoreError(
          "integrity",
          `Integrity check failed for put of "${k}": got ${bytes.length} bytes with sha256 ${sha256}, expected ${options.size ?? "any size"} / ${options.sha256 ?? "any hash"}.`,
        );
      }
      await this.retry(`put of "${k}"`, () => this.upload(this.fullKey(k), bytes, sha256, options.contentType)).catch((error: unknown) => {
        throw explain(error, `put of "${k}" to ${this.uri}`);
      });
      return { key: k, size: bytes.length, sha256 };
    }
    const check = new IntegrityStream({ size: options.size, sha256: options.sha256 }, `put of "${k}"`);
    pipeline(body, check, () => undefined); // a source error reaches `check`, which aborts the upload
    try {
      if (options.sha256 !== undefined) {
        // Hash known in advance: one streaming pass straight to the key; a mismatch aborts before completion.
        await this.upload(this.fullKey(k), check, options.sha256, options.contentType);
        return { key: k, ...check.digest() };
      }
      // Hash known only at the end: stage, then copy into place with the hash in its metadata,
      // so the key only ever shows complete, hashed objects.
      const staging = `${this.prefix}${TMP_DIR}/${randomUUID()}`;
      try {
        await this.upload(staging, check, undefined, options.contentType);
        const digest = check.digest();
        await this.copyWithHash(staging, this.fullKey(k), digest.size, digest.sha256, options.contentType);
        return { key: k, ...digest };
      } finally {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: staging })).catch(() => undefined);
      }
    } catch (error) {
      check.destroy(); // stop reading the source (and close its file) when the upload gave up early
      throw explain(error, `put of "${k}" to ${this.uri}`);
    }
  }

  /**
   * One `PutObject` with `If-None-Match: *`: S3 answers 412 when the key exists, so exactly one
   * racing create wins. A 409 (ConditionalRequestConflict: another conditional write to the key
   * was in flight) is tried again, and then answers 412 or succeeds.
   */
  async create(key: string, body: Uint8Array, options: { contentType?: string } = {}): Promise<CreateOutcome> {
    const k = this.checkKey(key);
    const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const send = () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.fullKey(k),
          Body: bytes,
          IfNoneMatch: "*",
          ContentType: options.contentType ?? "application/octet-stream",
          Metadata: { sha256 },
        }),
      );
    try {
      await this.retry(`create of "${k}"`, () =>
        send().catch((error: unknown) => {
          // A conflict is transient for a create: the write in flight settles, then 412 or success.
          if (httpStatusOf(error) === 409) throw Object.assign(new Error("ConditionalRequestConflict"), { $retryable: true, cause: error });
          throw error;
        }),
      );
      return "created";
    } catch (error) {
      if (httpStatusOf(error) === 412 || (error as ErrorShape | undefined)?.name === "PreconditionFailed") {
        // A retried request whose first try landed is answered 412 too: the same bytes there are ours.
        const found = await this.headFull(k).catch(() => null);
        return found?.sha256 === sha256 ? "created" : "exists";
      }
      throw explain(error, `create of "${k}" in ${this.uri}`);
    }
  }

  async get(key: string): Promise<Readable> {
    const k = this.checkKey(key);
    const fullKey = this.fullKey(k);
    let first: GetObjectCommandOutput;
    try {
      first = await this.retry(`get of "${k}"`, () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: fullKey })));
    } catch (error) {
      if (isNotFound(error)) throw new StoreError("not-found", `No object "${k}" in ${this.uri}.`);
      throw explain(error, `get of "${k}"`);
    }
    const size = first.ContentLength ?? 0;
    const check = new IntegrityStream({ size, sha256: first.Metadata?.sha256 }, `"${k}" in ${this.uri}`);
    const body = resumeDownload({
      first: first.Body as AsyncIterable<Buffer>,
      size,
      attempts: this.attempts,
      backoff: BACKOFF,
      isTransient,
      reopen: async (offset) => {
        // If-Match makes a replaced object fail loudly instead of splicing two versions.
        const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: fullKey, Range: `bytes=${offset}-`, IfMatch: first.ETag }));
        if (!response.ContentRange?.startsWith(`bytes ${offset}-`)) {
          throw new StoreError("unavailable", `The server ignored the range request while resuming "${fullKey}". Read it again.`);
        }
        return response.Body as AsyncIterable<Buffer>;
      },
    });
    pipeline(Readable.from(body), check, () => undefined);
    return check;
  }

  async head(key: string): Promise<StoredObject | null> {
    const k = this.checkKey(key);
    return this.headFull(k);
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const keys = (await this.listed(prefix)).map((object) => object.key);
    // Listings carry no metadata, so each object's hash needs a HEAD; deleted meanwhile means skipped.
    const objects = await mapWithConcurrency(keys, HEAD_CONCURRENCY, (k) => this.headFull(k));
    return objects.filter((o): o is StoredObject => o !== null);
  }

  async listSizes(prefix: string): Promise<Array<{ key: string; size: number }>> {
    return this.listed(prefix);
  }

  /** Keys (relative, sorted) and sizes under `prefix`, as ListObjectsV2 pages them. */
  private async listed(prefix: string): Promise<Array<{ key: string; size: number }>> {
    const p = normalisePrefix(prefix);
    const keys: Array<{ key: string; size: number }> = [];
    let token: string | undefined;
    do {
      const page = await this.retry(`list of "${p}"`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + p, ContinuationToken: token })),
      ).catch((error: unknown) => {
        throw explain(error, `list of "${p}" in ${this.uri}`);
      });
      for (const object of page.Contents ?? []) {
        const relative = object.Key?.slice(this.prefix.length);
        if (relative === undefined || relative.startsWith(`${TMP_DIR}/`)) continue;
        if (!isValidKey(relative)) continue; // written by another tool under a name no key can have
        keys.push({ key: relative, size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    const k = this.checkKey(key);
    await this.retry(`delete of "${k}"`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(k) }))).catch(
      (error: unknown) => {
        throw explain(error, `delete of "${k}"`);
      },
    );
  }

  private checkKey(key: string): string {
    const k = normaliseKey(key);
    if (k === TMP_DIR || k.startsWith(`${TMP_DIR}/`)) {
      throw new StoreError("invalid-key", `Invalid store key "${k}": "${TMP_DIR}/" is reserved for the store's staging area.`);
    }
    return k;
  }

  private fullKey(key: string): string {
    return this.prefix + key;
  }

  private async headFull(k: string): Promise<StoredObject | null> {
    let response;
    try {
      response = await this.retry(`head of "${k}"`, () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.fullKey(k) })));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw explain(error, `head of "${k}"`);
    }
    const size = response.ContentLength ?? 0;
    const sha256 = response.Metadata?.sha256;
    if (sha256 && /^[0-9a-f]{64}$/.test(sha256)) return { key: k, size, sha256 };
    // Put by another tool without our metadata: hash it once by reading it.
    const hash = createHash("sha256");
    let read = 0;
    for await (const chunk of (await this.get(k)) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      read += chunk.length;
    }
    return { key: k, size: read, sha256: hash.digest("hex") };
  }

  private async upload(fullKey: string, body: Readable | Buffer, sha256: string | undefined, contentType: string | undefined): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: fullKey,
        Body: body,
        ContentType: contentType ?? "application/octet-stream",
        ...(sha256 ? { Metadata: { sha256 } } : {}),
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
      // We abort ourselves: lib-storage's own abort replaces the real error with the abort's
      // when the abort fails too (a dead network, or a server without AbortMultipartUpload).
      leavePartsOnError: true,
    });
    try {
      await upload.done();
    } catch (error) {
      if (upload.uploadId) {
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: fullKey, UploadId: upload.uploadId }))
          .catch(() => undefined); // parts left behind are invisible; a lifecycle rule reaps them
      }
      // Transient errors stay raw so the caller can retry; the put names the key once retries are spent.
      throw isTransient(error) ? error : explain(error, `upload to ${this.uri}`);
    }
  }

  private async copyWithHash(from: string, to: string, size: number, sha256: string, contentType: string | undefined): Promise<void> {
    const source = `${this.bucket}/${from.split("/").map(encodeURIComponent).join("/")}`;
    const common = { Bucket: this.bucket, Key: to, Metadata: { sha256 }, ContentType: contentType ?? "application/octet-stream" };
    if (size <= MAX_COPY) {
      await this.retry(`copy into "${to}"`, () =>
        this.client.send(new CopyObjectCommand({ ...common, CopySource: source, MetadataDirective: "REPLACE" })),
      );
      return;
    }
    const { UploadId } = await this.retry(`copy into "${to}"`, () => this.client.send(new CreateMultipartUploadCommand(common)));
    try {
      const parts: { PartNumber: number; ETag: string | undefined }[] = [];
      for (let start = 0, number = 1; start < size; start += COPY_PART, number++) {
        const range = `bytes=${start}-${Math.min(start + COPY_PART, size) - 1}`;
        const part = await this.retry(`copy into "${to}"`, () =>
          this.client.send(
            new UploadPartCopyCommand({ Bucket: this.bucket, Key: to, UploadId, PartNumber: number, CopySource: source, CopySourceRange: range }),
          ),
        );
        parts.push({ PartNumber: number, ETag: part.CopyPartResult?.ETag });
      }
      await this.retry(`copy into "${to}"`, () =>
        this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: to, UploadId, MultipartUpload: { Parts: parts } })),
      );
    } catch (error) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: to, UploadId })).catch(() => undefined);
      throw error;
    }
  }

  private retry<T>(_what: string, operation: () => Promise<T>): Promise<T> {
    return retryTransient(this.retryPolicy, operation);
  }
}

function isValidKey(key: string): boolean {
  try {
    return normaliseKey(key) === key;
  } catch {
    return false;
  }
}

/** Reads a positive integer setting, or fails with the variable's name. */
function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new StoreError("invalid-uri", `${name} must be a positive integer, not ${JSON.stringify(raw)}.`);
  }
  return value;
}

/**
 * Builds an S3 store from a parsed `s3://` URI. Credentials come from the AWS chain (env, profile,
 * SSO, instance or task role). `NBTRAIN_S3_ENDPOINT` overrides the endpoint (the URI's
 * `?endpoint=` wins), and any endpoint override turns on path-style addressing.
 */
export async function createS3Store(location: Extract<StoreLocation, { kind: "s3" }>, env: NodeJS.ProcessEnv): Promise<S3Store> {
  const endpoint = location.endpoint ?? (env.NBTRAIN_S3_ENDPOINT || undefined);
  if (endpoint !== undefined && !/^https?:\/\/[^@/]+(\/.*)?$/.test(endpoint)) {
    throw new StoreError("invalid-uri", "NBTRAIN_S3_ENDPOINT must be an http:// or https:// URL without credentials.");
  }
  const maxAttempts = positiveInt(env, "NBTRAIN_S3_MAX_ATTEMPTS", 10);
  const config: S3ClientConfig = {
    region: location.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1"),
    forcePathStyle: location.forcePathStyle ?? endpoint !== undefined,
    // Enough attempts that a 20% 503/SlowDown rate still gets every request through.
    maxAttempts,
    retryStrategy: createS3RetryStrategy(maxAttempts),
  };
  if (endpoint !== undefined) config.endpoint = endpoint;
  // When the caller passes an explicit environment (tests, a job's secrets), honour its keys;
  // otherwise the SDK's default chain reads process.env, profiles and roles itself.
  if (env !== process.env && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    config.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  const client = new S3Client(config);
  // Parts are sent as buffers, which SigV4 would hash once more just to sign them; S3 accepts
  // UNSIGNED-PAYLOAD instead, and the parts stay covered by the SDK's CRC32 checksum, TLS on real
  // S3, and our own sha256 checked on every read.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> } | undefined;
      if ((context.commandName === "UploadPartCommand" || context.commandName === "PutObjectCommand") && request?.headers) {
        request.headers["x-amz-content-sha256"] ??= "UNSIGNED-PAYLOAD";
      }
      return next(args);
    },
    { step: "build", name: "nbtrainUnsignedPayload" },
  );
  const query = endpoint !== undefined && location.endpoint !== undefined ? `?endpoint=${location.endpoint}` : "";
  return new S3Store({
    client,
    bucket: location.bucket,
    prefix: location.prefix,
    partSize: positiveInt(env, "NBTRAIN_S3_PART_SIZE_MB", 8) * MIB,
    queueSize: positiveInt(env, "NBTRAIN_S3_QUEUE_SIZE", 2),
    uri: `s3://${location.bucket}/${location.prefix === "" ? "" : `${location.prefix}/`}${query}`,
  });
}
