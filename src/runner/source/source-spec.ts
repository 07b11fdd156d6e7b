import { z } from "zod";

/**
 * Where a run's working tree comes from (the run spec's `source`):
 * - `github`: the repository archive at `sha`, downloaded on the first attempt with the job's
 *   short-lived token and kept in the run's store prefix for later attempts;
 * - `checkout`: a local checkout used as it is (`nbtrain train` in a clone), no token.
 */
export const sourceSpecSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("github"),
      sha: z.string().regex(/^[0-9a-f]{40}$/u, "sha must be a full 40-character commit id"),
      /** The notebook's repository path; its folder becomes the kernel's working folder. */
      path: z.string().min(1).refine((value) => !value.startsWith("/") && !value.split("/").includes(".."), "path must be repository-relative, without '..'"),
      api_url: z.url().default("https://api.github.com"),
      /** Which `requirements.txt` to install: none, the notebook's folder's, or the repository root's. */
      requirements: z.enum(["off", "notebook", "root"]).default("off"),
      /** Caps against decompression bombs (defaults: 2 GiB, 200,000 entries; the download is capped at the byte cap too). */
      max_bytes: z.number().int().positive().optional(),
      max_entries: z.number().int().positive().optional(),
      /** Replace Git LFS pointer files with their content (fetched with the job's token, kept in the store for later attempts). */
      lfs: z.boolean().default(false),
    })
    .strict(),
  z.object({ kind: z.literal("checkout"), root: z.string().min(1) }).strict(),
]);

export type SourceSpec = z.infer<typeof sourceSpecSchema>;

/** The variable that carries the job's read-only token into the runner process (never further). */
export const JOB_TOKEN_ENV = "NBTRAIN_GITHUB_TOKEN";
