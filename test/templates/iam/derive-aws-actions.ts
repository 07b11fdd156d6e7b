import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { build, type Metafile } from "esbuild";

/** What one deployable unit can ask AWS to do, and where in the code each action comes from. */
export type DerivedActions = Map<string, string[]>;

/** The IAM service prefix of each SDK client package the code may import. */
const IAM_PREFIX: Record<string, string> = {
  "client-batch": "batch",
  "client-cloudwatch-logs": "logs",
  "client-lambda": "lambda",
  "client-s3": "s3",
  "client-secrets-manager": "secretsmanager",
  "client-ssm": "ssm",
};

/**
 * Operations whose IAM actions are not simply `<prefix>:<Operation>`, from the Service
 * Authorization Reference (the "Actions defined by ..." tables and their "dependent actions").
 */
const ACTIONS_OF_OPERATION: Record<string, string[]> = {
  "s3:ListObjectsV2": ["s3:ListBucket"],
  "s3:HeadObject": ["s3:GetObject"],
  "s3:CopyObject": ["s3:GetObject", "s3:PutObject"],
  "s3:UploadPartCopy": ["s3:GetObject", "s3:PutObject"],
  "s3:CreateMultipartUpload": ["s3:PutObject"],
  "s3:UploadPart": ["s3:PutObject"],
  "s3:CompleteMultipartUpload": ["s3:PutObject"],
  "lambda:Invoke": ["lambda:InvokeFunction"],
  // Both are sent with tags (batch-job-tags.ts, aws-job-secrets.ts): tagging on create needs TagResource too.
  "batch:SubmitJob": ["batch:SubmitJob", "batch:TagResource"],
  "secretsmanager:CreateSecret": ["secretsmanager:CreateSecret", "secretsmanager:TagResource"],
};

/**
 * Commands a helper package sends only when the caller passes an option, with a test of whether
 * any of the calling code passes it: `Upload` tags the object only when given `tags`.
 */
const CONDITIONAL_HELPER_COMMANDS: Record<string, { option: RegExp; why: string }> = {
  PutObjectTaggingCommand: { option: /new\s+Upload\s*\(\s*\{[^}]*\btags\s*:/su, why: "Upload sends it only when given `tags`" },
};

const COMMAND_SITE = /new\s+(?:[A-Za-z_$][\w$]*\.)?([A-Z][A-Za-z0-9]*Command)\s*\(/gu;

/**
 * Follows the import graph from `entry` (esbuild resolves it as the deployment build does,
 * dynamic `import()`s included) and collects the AWS actions the reached code can call: every
 * SDK command it constructs to send, in the repository's own files and in the SDK's helper
 * packages (`@aws-sdk/lib-*`, e.g. lib-storage's Upload). A command is attributed to the client
 * package that the constructing file imports and that defines it; a command no imported client
 * defines, or two define, is an error rather than a guess.
 */
export async function deriveAwsActions(root: string, entry: string): Promise<DerivedActions> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [path.join(root, entry)],
    bundle: true,
    write: false,
    outdir: path.join(root, ".iam-graph"),
    platform: "node",
    format: "esm",
    splitting: true,
    mainFields: ["module", "main"],
    metafile: true,
    logLevel: "silent",
  });
  const inputs = reachable(result.metafile, entry);
  const actions: DerivedActions = new Map();
  const add = (action: string, where: string): void => {
    actions.set(action, [...(actions.get(action) ?? []), where]);
  };
  const ownSources = inputs.filter((file) => !file.includes("node_modules/")).map((file) => readFileSync(path.join(root, file), "utf8"));

  for (const file of inputs) {
    if (!isScanned(file)) continue;
    const source = readFileSync(path.join(root, file), "utf8");
    const clients = importedClients(result.metafile, file);
    for (const match of source.matchAll(COMMAND_SITE)) {
      const command = match[1]!;
      const conditional = CONDITIONAL_HELPER_COMMANDS[command];
      if (file.includes("node_modules/") && conditional && !ownSources.some((text) => conditional.option.test(text))) continue;
      const defining = clients.filter((client) => existsSync(path.join(root, "node_modules/@aws-sdk", client, "dist-types/commands", `${command}.d.ts`)));
      if (defining.length !== 1) {
        throw new Error(`${file}: ${command} is defined by ${defining.length === 0 ? "none" : defining.join(" and ")} of the clients it imports (${clients.join(", ") || "none"}).`);
      }
      const prefix = IAM_PREFIX[defining[0]!];
      if (!prefix) throw new Error(`${file}: ${command} comes from @aws-sdk/${defining[0]}, whose IAM prefix is not in IAM_PREFIX; add it.`);
      const operation = `${prefix}:${command.slice(0, -"Command".length)}`;
      for (const action of ACTIONS_OF_OPERATION[operation] ?? [operation]) add(action, `${file} (${command})`);
    }
  }
  return actions;
}

/** The repository's files and the SDK's helper packages; never a client's own internals. */
function isScanned(file: string): boolean {
  if (!/\.(ts|m?js)$/u.test(file)) return false;
  return !file.includes("node_modules/") || /node_modules\/@aws-sdk\/lib-[^/]+\//u.test(file);
}

/** Inputs reachable from the entry, following every import kind. */
function reachable(metafile: Metafile, entry: string): string[] {
  const start = Object.keys(metafile.inputs).find((file) => path.normalize(file) === path.normalize(entry));
  if (!start) throw new Error(`${entry} is not an input of its own build.`);
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.inputs[file]?.imports ?? []) if (!imported.external) visit(imported.path);
  };
  visit(start);
  return [...seen];
}

/** The `@aws-sdk/client-*` packages a file imports (statically or with `import()`). */
function importedClients(metafile: Metafile, file: string): string[] {
  const clients = new Set<string>();
  for (const imported of metafile.inputs[file]?.imports ?? []) {
    const match = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//u.exec(imported.path);
    if (match) clients.add(match[1]!);
  }
  return [...clients];
}
