import { z } from "zod";
import { parseDuration } from "../commands/parse-duration.js";
import { parseSize } from "../commands/parse-size.js";
import { storeAllowed } from "./allow-list.js";

const list = z
  .string()
  .transform((text) => text.split(",").map((item) => item.trim()).filter((item) => item !== ""))
  .pipe(z.array(z.string().max(2048)).max(200));

const cap = (parse: (text: string) => { error: string } | Record<string, number>, unit: string) =>
  z.string().transform((text, ctx) => {
    const parsed = parse(text);
    if ("error" in parsed) {
      ctx.issues.push({ code: "custom", message: String(parsed.error), input: text });
      return z.NEVER;
    }
    return parsed[unit]!;
  });

/** A Batch job queue or job definition entry: an ARN (pattern) or a name (pattern); `*` matches any run of characters. */
const batchEntry = (kind: "job-queue" | "job-definition") =>
  z.string().refine((entry) => !entry.startsWith("arn:") || new RegExp(`^arn:aws[a-z-]*:batch:[^:]*:[^:]*:${kind}/.+$`, "u").test(entry), {
    message: `an ARN entry must be a Batch ${kind} ARN (arn:aws:batch:REGION:ACCOUNT:${kind}/NAME)`,
  });

/** A store location: `s3://bucket[/prefix]`, `gdrive://folder-id[/path]` or `file:///path`. */
const storeEntry = z.string().regex(/^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?|gdrive:\/\/[^/\s]+(\/.*)?|file:\/\/\/.*)$/u, "a store location is s3://BUCKET[/PREFIX], gdrive://FOLDER-ID[/PATH] or file:///PATH");

/**
 * The deployment's environment (or SAM parameters, which the template turns into it) as the
 * operator sets it: what any repository's `.github/nbtrain.yml` may name and ask for. Never read
 * from a repository. Unset lists are closed: only the deployment's own queue, job definitions and
 * store; unset caps are the repository defaults' own values.
 */
export const deploymentPolicyEnvSchema = z.object({
  /** The Batch job queues a repository may name; also where `cancel` and `status` look for jobs. */
  NBTRAIN_BATCH_QUEUES: list.pipe(z.array(batchEntry("job-queue"))).optional(),
  /** The Batch job definitions a repository may name. Unset: `<queue>-runner` and `<queue>-runner-*` for each listed queue name. */
  NBTRAIN_BATCH_JOB_DEFINITIONS: list.pipe(z.array(batchEntry("job-definition"))).optional(),
  /** Where runs may be written and read from. Unset: NBTRAIN_STORE alone. */
  NBTRAIN_ALLOWED_STORES: list.pipe(z.array(storeEntry)).optional(),
  NBTRAIN_MAX_GPUS: z.coerce.number().int().positive().max(64).default(1),
  /** The most memory one run may ask for, e.g. `64GiB`. */
  NBTRAIN_MAX_MEMORY: cap(parseSize, "mib").default(16 * 1024),
  /** The longest one run may ask for, e.g. `12h`. */
  NBTRAIN_MAX_TIMEOUT: cap(parseDuration, "seconds").default(6 * 3600),
});

export interface DeploymentPolicy {
  queues: string[];
  jobDefinitions: string[];
  stores: string[];
  maxGpus: number;
  maxMemoryMiB: number;
  maxTimeoutSeconds: number;
}

/**
 * Parses the policy from the environment; `ownStore` is the deployment's NBTRAIN_STORE. Throws
 * with the variable to fix, and refuses a store list that leaves out the deployment's own store.
 */
export function parseDeploymentPolicy(env: Record<string, string | undefined>, ownStore: string): DeploymentPolicy {
  const parsed = deploymentPolicyEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid deployment policy: ${issue.path.join(".")} ${issue.message}. Fix the environment (or the SAM parameters) and start again.`);
  }
  const settings = parsed.data;
  const queues = settings.NBTRAIN_BATCH_QUEUES ?? [];
  const ownNames = queues.filter((queue) => !queue.startsWith("arn:") && !queue.includes("*"));
  const stores = settings.NBTRAIN_ALLOWED_STORES ?? [ownStore];
  const policy: DeploymentPolicy = {
    queues,
    jobDefinitions: settings.NBTRAIN_BATCH_JOB_DEFINITIONS ?? ownNames.flatMap((name) => [`${name}-runner`, `${name}-runner-*`]),
    stores,
    maxGpus: settings.NBTRAIN_MAX_GPUS,
    maxMemoryMiB: settings.NBTRAIN_MAX_MEMORY,
    maxTimeoutSeconds: settings.NBTRAIN_MAX_TIMEOUT,
  };
  if (!storeAllowed(ownStore, policy.stores)) {
    throw new Error(`Invalid deployment policy: NBTRAIN_STORE ${ownStore} is not within NBTRAIN_ALLOWED_STORES (${stores.join(", ")}). Add it, or point NBTRAIN_STORE inside one.`);
  }
  return policy;
}
